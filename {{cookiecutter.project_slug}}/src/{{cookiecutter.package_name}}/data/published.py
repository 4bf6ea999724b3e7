"""Specs against what Numerai publishes: the data version, the feature set and targets of its
features.json, and the benchmark columns of datasets/<version>.json. `validate` runs this before any
training; without a network it checks against datasets/ and says what it could not check (build
checks it then, with the data at hand).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..datasets import DatasetVersion, current_version
from ..errors import WorkFailed
from ..files import write_atomic
from ..logs import get_logger
from ..modelspec import LoadedSpec, Problem
from ..modelspec.problems import display_path
from ..modelspec.rules import data_problems
from ..modelspec.versions import alias_warnings, version_benchmark_problems
from ..settings import Settings
from . import files

log = get_logger(__name__)

LISTING = "published.json"  # the cached answer of list_datasets, beside the datasets
LISTING_MAX_AGE = 24 * 3600  # Numerai adds versions rarely: a day-old listing is current enough


@dataclass
class Verdict:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def published_versions(cache: Path, settings: Settings) -> list[str] | None:
    """Dataset versions Numerai publishes (cached for a day), or None when Numerai cannot be asked."""
    listing = Path(cache) / LISTING
    try:
        if listing.exists() and time.time() - listing.stat().st_mtime < LISTING_MAX_AGE:
            listed: list[str] = json.loads(listing.read_text(encoding="utf-8"))
            return listed
    except (OSError, ValueError):
        pass
    # Imported here, only when the listing must be asked for: numerapi (and pandas with it) take seconds.
    from ..numerai.datasets import published_files

    try:
        names = published_files(settings)
    except Exception as error:  # noqa: BLE001 - offline or Numerai unwell: validation goes on without it
        log.debug("list_datasets failed: %s", error)
        return None
    versions = sorted({name.split("/", 1)[0] for name in names if "/" in name})
    write_atomic(listing, json.dumps(versions) + "\n")
    return versions


def version_problem(item: LoadedSpec, versions: list[str]) -> Problem:
    return Problem(display_path(item.path), item.line_of("data", "version"), "data.version",
                   f"a dataset version Numerai publishes ({', '.join(versions)}), got {item.spec.data.version!r}")


def features_json(cache: Path, version: str, synthetic: bool, settings: Settings) -> Path | None:
    """features.json of `version` from the cache, downloaded when missing; None when it cannot be had."""
    path = files.version_dir(cache, version, synthetic) / files.FEATURES_JSON
    if path.exists() or synthetic:
        return path if path.exists() else None
    from .download import ensure_files  # the Numerai client, only when there is something to fetch

    try:
        return ensure_files(cache, version, [files.FEATURES_JSON], settings=settings, quick=True)[files.FEATURES_JSON]
    except WorkFailed:
        return None


def check_against_numerai(specs: list[LoadedSpec], cache: Path, versions: dict[str, DatasetVersion], *,
                          settings: Settings, synthetic: bool = False) -> Verdict:
    """Problems of `specs` against Numerai's datasets, warnings, and notes on what could not be checked.
    `versions` (datasets/) stand in for a features.json that cannot be had, and name the benchmark columns."""
    verdict = Verdict()
    published = None if synthetic else published_versions(cache, settings)
    if published is None and not synthetic:
        verdict.notes.append("Numerai could not be asked which dataset versions it publishes (offline?): "
                             "data.version was not checked; build checks it")
    unknown = set()
    for item in specs:
        if published is not None and item.spec.data.version not in published:
            verdict.problems.append(version_problem(item, published))
            unknown.add(item.spec.data.version)
    # A loaded spec names its version (the current one when it names none).
    for version in sorted({cast(str, item.spec.data.version) for item in specs} - unknown):
        chosen = [item for item in specs if item.spec.data.version == version]
        metadata = features_metadata(cache, version, synthetic, versions, verdict, settings)
        for item in chosen:
            if metadata is not None:
                verdict.problems.extend(data_problems(item, metadata))
            if version in versions:
                verdict.problems.extend(version_benchmark_problems(item, versions[version]))
                verdict.warnings.extend(alias_warnings(item, versions[version]))
    return verdict


def features_metadata(cache: Path, version: str, synthetic: bool, versions: dict[str, DatasetVersion],
                      verdict: Verdict, settings: Settings) -> Path | dict[str, Any] | None:
    """features.json of `version`, else what datasets/ knows of it (noted), else None (noted)."""
    found = features_json(cache, version, synthetic, settings)
    if found is not None:
        return found
    facts = versions.get(version)
    if facts is not None:
        verdict.notes.append(f"{version}/features.json could not be read: feature sets and targets were checked "
                             f"against {facts.described}")
        return facts.metadata()
    current = current_version(versions)
    verdict.notes.append(f"{version}/features.json could not be read and datasets/ has no {version}.json (Numerai "
                         "may have published it since): feature sets, targets and benchmark columns were not "
                         f"checked, build checks them; a spec naming no target trains on {current.payout_target}, "
                         f"the payout target of {current.name}")
    return None
