"""Data-version drift: the dataset versions the specs train on against what Numerai offers now.

Numerai publishes a newer version than a spec trains on (its dataset listing, or a version model
uploads take), or marks one a spec trains on deprecated for uploads (or no longer offers it). Each
is a finding for a person to act on: add the new version's facts to datasets/ and move the specs in
a pull request (their benchmark columns are named per version). `numerai-deploy datasets` reports
them; the health workflow turns each into a GitHub issue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ..datasets import DatasetVersion, version_key
from ..logs import get_logger
from ..modelspec import LoadedSpec
from ..numerai.client import NumeraiClient
from ..numerai.credentials import Credentials
from ..numerai.errors import ApiError
from ..settings import Settings
from .published import published_versions

log = get_logger(__name__)

NEWER, DEPRECATED = "newer", "deprecated"


def upload_versions(credentials: Credentials, settings: Settings) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The data versions model uploads take, with their flags, or None and why not. A rejected key is
    an error (exit 2), not a reason to go without."""
    try:
        flags = NumeraiClient(credentials, settings).data_version_flags()
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return None, f"computePickleDataVersions: no answer from {settings.api_url}"
    return [{"name": str(item.get("name")), "default": bool(item.get("default")),
             "deprecated": bool(item.get("deprecated"))} for item in flags if isinstance(item, dict)], None


def newest_of(published: list[str] | None, uploads: list[dict[str, Any]] | None) -> str | None:
    names = set(published or []) | {item["name"] for item in uploads or [] if not item["deprecated"]}
    names = {name for name in names if version_key(name) >= (0, 0)}
    return max(names, key=version_key) if names else None


def newer_message(version: str, newest: str, specs: list[str], versions: dict[str, DatasetVersion]) -> str:
    facts = (f"datasets/{newest}.json has its facts" if newest in versions else
             f"datasets/ has no {newest}.json yet: add it (feature sets, targets, payout target, benchmark columns; "
             f"datasets/{version}.json shows the fields) and mark it current")
    return (f"Numerai publishes {newest}, newer than {version}, which {', '.join(specs)} train(s) on. {facts}; "
            f"then move the specs' data.version (and benchmark_inputs: their columns are named per version) "
            "in a pull request, which builds and checks them.")


def deprecated_message(version: str, uploads: list[dict[str, Any]], newest: str | None, specs: list[str]) -> str | None:
    flags = next((item for item in uploads if item["name"] == version), None)
    move = f"move them to {newest}" if newest and newest != version else "move them to a version uploads take"
    if flags is None:
        offered = ", ".join(item["name"] for item in uploads) or "none"
        return (f"Numerai's model uploads no longer offer {version} (they take {offered}), yet {', '.join(specs)} "
                f"train(s) on it: a deploy of them is refused; {move}.")
    if flags["deprecated"]:
        return (f"Numerai marks {version} deprecated for model uploads, and {', '.join(specs)} train(s) on it: "
                f"{move} before uploads on it stop.")
    return None


def findings(specs: dict[str, list[str]], versions: dict[str, DatasetVersion], published: list[str] | None,
             uploads: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One finding per version a spec trains on and kind of drift: {version, kind, specs, message}."""
    newest = newest_of(published, uploads)
    found = []
    for version, names in sorted(specs.items(), key=lambda item: version_key(item[0])):
        if newest and version_key(newest) > version_key(version):
            found.append({"version": version, "kind": NEWER, "specs": names,
                          "message": newer_message(version, newest, names, versions)})
        message = deprecated_message(version, uploads, newest, names) if uploads is not None else None
        if message:
            found.append({"version": version, "kind": DEPRECATED, "specs": names, "message": message})
    return found


def drift_report(specs: list[LoadedSpec], versions: dict[str, DatasetVersion], cache: Path,
                 credentials: Credentials | None, settings: Settings, *, offline: bool = False) -> dict[str, Any]:
    """What Numerai offers against the specs' versions. `checked` is false when Numerai answered
    neither question: the findings are then unknown (not absent)."""
    using: dict[str, list[str]] = {}
    for item in specs:
        using.setdefault(cast(str, item.spec.data.version), []).append(f"models/{Path(item.path).name}")
    notes, published, uploads = [], None, None
    if offline:
        notes.append("--offline: Numerai was not asked")
    else:
        published = published_versions(cache, settings)
        if published is None:
            notes.append("list_datasets: Numerai could not be asked which dataset versions it publishes")
        if credentials is None:
            notes.append("no NUMERAI_PUBLIC_ID/NUMERAI_SECRET_KEY: the versions model uploads take were not asked")
        else:
            uploads, why = upload_versions(credentials, settings)
            notes += [why] if why else []
    return {
        "checked": published is not None or uploads is not None,
        "notes": notes,
        "published": published,
        "uploads": uploads,
        "newest": newest_of(published, uploads),
        "specs": using,
        "vendored": {name: {"status": version.status, "released": version.released, "checked": version.checked}
                     for name, version in versions.items()},
        "findings": findings(using, versions, published, uploads),
    }
