"""A pull request's review of its models: the plan (which slots it builds), each build's check verdict,
then the metrics beside the deployed versions'. The pull-request workflow posts it as one comment, edited
on each push (github/comments.py); forks get it in the job summary only.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import UsageError
from .manifest import Manifest


def planned(matrix: str) -> list[dict[str, Any]]:
    """The plan's entries from its matrix JSON (`plan`'s output: {"include": [...]})."""
    try:
        entries = json.loads(matrix or '{"include": []}').get("include")
    except (ValueError, AttributeError):
        entries = None
    if not isinstance(entries, list) or not all(isinstance(item, dict) and item.get("slot") for item in entries):
        raise UsageError("--plan: not the matrix `numerai-deploy plan` prints ==> pass the plan job's `matrix` output")
    return entries


def verdict(slot: str, manifest: Manifest | None) -> str:
    if manifest is None:
        return f"failed: no build came back (see the job `build and check {slot}`)"
    check = manifest.check
    if check is None:
        return "built, not checked"
    image = check.image.rsplit("/", 1)[-1]
    return f"check passed on {image}" if check.passed else f"check failed on {image} ({check.errors} error(s))"


def review(entries: list[dict[str, Any]], built: dict[str, Manifest], metrics: str) -> str:
    """The comment's Markdown: the plan with a verdict per slot, then `metrics` (summary's table)."""
    lines = ["### Numerai plan", ""]
    if not entries:
        return "\n".join([*lines, "Nothing to build: no slot's fingerprint changed against the base branch.", ""])
    failed = sum(1 for item in entries if not ((found := built.get(item["slot"])) and found.check
                                               and found.check.passed))
    lines += [f"This pull request builds {len(entries)} slot(s); merging it deploys "
              + ("them." if not failed else f"them, once the {failed} that did not pass are fixed."), "",
              "| Slot | Fingerprint | Image | Data | Verdict |", "| --- | --- | --- | --- | --- |"]
    for item in entries:
        data = f"{item.get('data_version', '–')}" + (" (synthetic)" if item.get("synthetic") else "")
        image = str(item.get("image", "–")).rsplit("/", 1)[-1]
        lines.append(f"| {item['slot']} | `{item.get('fingerprint', '–')}` | {image} | {data} | "
                     f"{verdict(item['slot'], built.get(item['slot']))} |")
    return "\n".join([*lines, "", metrics.rstrip("\n"), ""])
