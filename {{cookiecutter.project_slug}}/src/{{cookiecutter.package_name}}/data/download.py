"""Dataset files in a local cache, used only while they are still Numerai's current files.

Before a cached file is trusted, Numerai is asked for the file's URL and the server for its size,
ETag and Last-Modified (see numerai.datasets.probe); the file is downloaded again only when they
differ from what was recorded beside it (`<file>.source.json`) at its download, and never when they
do not. `train.parquet` stays the same within a version, `validation.parquet` gains eras every week
and the `live*.parquet` files change every round: each comes again exactly when it changed.
Downloads go through a temporary file renamed into place, so the cache never holds a half file.
When Numerai cannot be asked (offline), a cached file is used with a note saying so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import WorkFailed
from ..files import write_atomic
from ..logs import get_logger, scrub
from ..numerai.client import NumeraiClient
from ..numerai.datasets import RemoteFile, dataset_url, download_file, probe, public_api, quick_api
from ..settings import Settings
from .files import version_dir as version_dir  # re-exported: artifact/ reads the cache through download

log = get_logger(__name__)

RECORD_SUFFIX = ".source.json"  # beside each cached file: what the server said of it when it came


def record_path(path: Path) -> Path:
    return path.with_name(path.name + RECORD_SUFFIX)


def read_record(path: Path) -> dict[str, Any] | None:
    """What was recorded of the server's file when `path` was downloaded (None: nothing usable)."""
    try:
        record = json.loads(record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_record(path: Path, remote: RemoteFile, **extra: Any) -> None:
    write_atomic(record_path(path), json.dumps({**remote.record(), **extra}, indent=1) + "\n")


def cached(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


class Remote:
    """Numerai's side of one dataset version, asked lazily (a fully cached offline run never waits
    on a client). `quick`: one attempt per call, no retries."""

    def __init__(self, version: str, settings: Settings, quick: bool = False):
        self.version, self.settings, self.quick = version, settings, quick
        self._api: NumeraiClient | None = None

    @property
    def api(self) -> NumeraiClient:
        if self._api is None:
            self._api = quick_api(self.settings) if self.quick else public_api(self.settings)
        return self._api

    def remote_name(self, name: str) -> str:
        return f"{self.version}/{name}"

    def url(self, name: str) -> str:
        return dataset_url(self.api, self.remote_name(name))

    def state(self, name: str) -> tuple[str, RemoteFile]:
        """The file's URL and what the server says of it now."""
        url = self.url(name)
        return url, probe(self.api, url, self.remote_name(name))

    def download(self, name: str, path: Path, url: str | None = None) -> RemoteFile:
        remote = self.remote_name(name)
        log.info("data: downloading %s", remote)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            found = download_file(self.api, url or self.url(name), path, remote)
        except WorkFailed as error:
            raise WorkFailed(scrub(f"could not download {remote}: {error}")) from None
        except Exception as error:  # noqa: BLE001 - anything else the transport raises, said plainly
            raise WorkFailed(scrub(f"could not download {remote}: {type(error).__name__}: {error}")) from None
        write_record(path, found)
        return found


def offline_note(remote: str, error: Exception) -> None:
    log.warning("data: %s: Numerai could not be asked whether it changed (%s); using the cached copy, "
                "which may be out of date", remote, scrub(error))


def ensure_file(numerai: Remote, folder: Path, name: str) -> Path:
    """`name` in `folder`, downloaded unless the cached copy is Numerai's current file."""
    path = folder / name
    remote = numerai.remote_name(name)
    if not cached(path):
        numerai.download(name, path)
        return path
    try:
        url, current = numerai.state(name)
    except WorkFailed as error:
        offline_note(remote, error)
        return path
    record = read_record(path)
    if record is None and current.size == path.stat().st_size:
        write_record(path, current)  # a file cached before records were kept: numerapi's size rule
        record = read_record(path)
    if current.same_as(record):
        log.info("data: %s (cached, current)", remote)
        return path
    log.info("data: %s changed on Numerai since it was cached: downloading it again", remote)
    numerai.download(name, path, url)
    return path


def ensure_files(cache: Path, version: str, names: list[str], *, settings: Settings,
                 quick: bool = False) -> dict[str, Path]:
    """Local paths of `names` in `version`: each downloaded when missing or changed on Numerai.

    quick: one attempt, no retries (a look-up that must not hold `validate` up when offline)."""
    folder = version_dir(cache, version)
    numerai = Remote(version, settings, quick)
    return {name: ensure_file(numerai, folder, name) for name in names}
