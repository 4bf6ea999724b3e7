"""Dataset files in a local cache, downloaded through numerapi once and reused after."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import WorkFailed
from ..logs import get_logger, scrub
from ..numerai.datasets import public_api, quick_api

log = get_logger(__name__)

SYNTHETIC_PREFIX = "synthetic-"


def version_dir(cache: Path, version: str, synthetic: bool = False) -> Path:
    return Path(cache) / (f"{SYNTHETIC_PREFIX}{version}" if synthetic else version)


def ensure_files(cache: Path, version: str, names: list[str], *, quick: bool = False) -> dict[str, Path]:
    """Local paths of `names` in `version`, downloading only the ones not in the cache yet.

    quick: one attempt, no retries (a look-up that must not hold `validate` up when offline)."""
    folder = version_dir(cache, version)
    paths, api = {}, None
    for name in names:
        path = folder / name
        if path.exists() and path.stat().st_size > 0:
            log.info("data: %s/%s (cached)", version, name)
        else:
            api = api or (quick_api() if quick else public_api())
            download(api, f"{version}/{name}", path)
        paths[name] = path
    return paths


def download(api, remote: str, path: Path) -> None:
    # numerapi resumes a partial file at the same destination; renaming only a complete
    # download into place means a cached file is never a truncated one.
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    log.info("data: downloading %s", remote)
    try:
        api.download_dataset(remote, str(partial))
    except Exception as error:  # numerapi raises bare KeyError/ValueError for API faults
        raise WorkFailed(scrub(f"could not download {remote}: {type(error).__name__}: {error}")) from None
    if not partial.exists():
        raise WorkFailed(f"could not download {remote}: numerapi wrote no file")
    os.replace(partial, path)
