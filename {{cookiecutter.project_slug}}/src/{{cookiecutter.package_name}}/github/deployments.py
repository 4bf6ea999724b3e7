"""What each slot runs, as GitHub deployments: one per deploy (or rollback) of a slot, to the
environment `numerai/<slot>`, with a status (success or failure) and a payload saying what was deployed:
pickle id, file name, fingerprint, image, data version, validation metrics and the build's manifest
(its bulky lists left out).

GitHub keeps deployments (the Actions cache evicts entries), shows them on the repository's page, and
they are the record a pull request compares its metrics with: the newest successful deployment of each
slot is its deployed version (`baseline`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from .api import GitHub

ENVIRONMENT_PREFIX = "numerai/"
TASK = "deploy:numerai"
SUCCESS, FAILURE = "success", "failure"
MAX_PAYLOAD = 60000  # characters of JSON: per-era curves are left out of a payload larger than this
MAX_DESCRIPTION = 140  # GitHub's limit on a deployment's and a status's description
MOST_DEPLOYMENTS = 500  # looked through for each slot's newest success
MOST_PER_SLOT = 20  # a slot's deployments looked at for its newest success, newest first
MODEL_PAGE = "https://numer.ai/{slot}"


RECORD_KEY = "deployments"  # a record file: {"deployments": [entry, ...]}


def record_document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {RECORD_KEY: entries}


def entries_in(document: object) -> list[dict[str, Any]] | None:
    """A record file's entries, or None when `document` is not a record."""
    entries = document.get(RECORD_KEY) if isinstance(document, dict) else None
    return entries if isinstance(entries, list) and all(isinstance(item, dict) for item in entries) else None


def environment_of(slot: str) -> str:
    return ENVIRONMENT_PREFIX + slot


def entry(*, slot: str, action: str, state: str, pickle_id: str = "", filename: str = "", fingerprint: str = "",
          image: str = "", data_version: str = "", metrics: dict[str, Any] | None = None,
          manifest: dict[str, Any] | None = None, detail: str = "", gate: str = "") -> dict[str, Any]:
    """One slot's line of a deploy (or rollback) record: the payload of its deployment. `gate`: the spec's
    gate's verdict on the build, or `skipped: REASON` (deploy --skip-gate)."""
    return {"slot": slot, "action": action, "state": state, "pickle_id": pickle_id, "filename": filename,
            "fingerprint": fingerprint, "image": image, "data_version": data_version, "metrics": metrics,
            "manifest": manifest, "detail": detail, "gate": gate}


def without_curves(value: Any) -> Any:
    """`value` without its per-era series (keys ending in `_curve`), at any depth."""
    if isinstance(value, dict):
        return {key: without_curves(item) for key, item in value.items() if not str(key).endswith("_curve")}
    return value


def fitted(payload: dict[str, Any]) -> dict[str, Any]:
    return payload if len(json.dumps(payload)) <= MAX_PAYLOAD else cast("dict[str, Any]", without_curves(payload))


def latest_state(github: GitHub, deployment: dict[str, Any]) -> str:
    statuses = github.call("GET", f"/deployments/{deployment['id']}/statuses", per_page=1) or []
    return statuses[0].get("state", "") if statuses else "pending"


def slot_of(deployment: dict[str, Any]) -> str | None:
    environment = str(deployment.get("environment") or "")
    return environment.removeprefix(ENVIRONMENT_PREFIX) if environment.startswith(ENVIRONMENT_PREFIX) else None


def deployed(github: GitHub) -> dict[str, dict[str, Any]]:
    """{slot: payload} of each slot's newest successful deployment."""
    found: dict[str, dict[str, Any]] = {}
    looked: dict[str, int] = {}
    for deployment in github.pages("/deployments", MOST_DEPLOYMENTS):
        slot = slot_of(deployment)
        if slot is None or slot in found or looked.get(slot, 0) >= MOST_PER_SLOT:
            continue
        looked[slot] = looked.get(slot, 0) + 1
        if isinstance(deployment.get("payload"), dict) and latest_state(github, deployment) == SUCCESS:
            found[slot] = deployment["payload"]
    return found


def baseline_manifest(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The deployed build's manifest with its metrics: what `summary --baseline` and `plan --deployed` read
    (`deployed_by`: the record's action; a rollback's build stays until its spec changes)."""
    manifest = payload.get("manifest")
    if not isinstance(manifest, dict):
        return None
    return {**manifest, "metrics": {"validation": payload.get("metrics")}, "deployed_by": payload.get("action") or ""}


def write_baseline(github: GitHub, folder: Path) -> list[str]:
    """Each slot's deployed manifest as folder/<slot>.json; the slots written."""
    written = []
    for slot, payload in sorted(deployed(github).items()):
        manifest = baseline_manifest(payload)
        if manifest is None:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{slot}.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        written.append(slot)
    return written


def earlier_payload(github: GitHub, slot: str, pickle_id: str) -> dict[str, Any] | None:
    """The payload of an earlier deployment of `pickle_id` to `slot` that recorded its build."""
    for deployment in github.pages("/deployments", MOST_PER_SLOT * 5, environment=environment_of(slot)):
        payload = deployment.get("payload")
        if isinstance(payload, dict) and payload.get("pickle_id") == pickle_id and payload.get("manifest"):
            return payload
    return None


def description(item: dict[str, Any]) -> str:
    text = item["detail"] if item["state"] != SUCCESS and item.get("detail") else \
        f"{item['action']}: pickle {item.get('pickle_id') or '-'}"
    return text[:MAX_DESCRIPTION]


def create(github: GitHub, item: dict[str, Any], ref: str, run_url: str) -> dict[str, Any]:
    """A deployment of `item` to its slot's environment at commit `ref`, and its status."""
    deployment: dict[str, Any] = github.call("POST", "/deployments", {
        "ref": ref, "environment": environment_of(item["slot"]), "task": TASK, "payload": fitted(item),
        "description": description(item), "auto_merge": False, "required_contexts": [],
        "production_environment": True, "transient_environment": False,
    })
    status = {"state": item["state"], "description": description(item), "auto_inactive": True,
              "environment_url": MODEL_PAGE.format(slot=item["slot"]), **({"log_url": run_url} if run_url else {})}
    github.call("POST", f"/deployments/{deployment['id']}/statuses", status)
    return deployment


def completed(github: GitHub, item: dict[str, Any]) -> dict[str, Any]:
    """A rollback's entry with the build it went back to (manifest, metrics), from that build's deployment."""
    if item.get("manifest") is not None or not item.get("pickle_id"):
        return item
    earlier = earlier_payload(github, item["slot"], item["pickle_id"])
    if earlier is None:
        return item
    return {**item, **{key: earlier.get(key) for key in ("manifest", "metrics", "fingerprint", "image", "data_version")
                       if not item.get(key)}}


def record(github: GitHub, entries: list[dict[str, Any]], ref: str, run_url: str = "") -> list[str]:
    """A deployment per entry (an unchanged slot only when GitHub has no record of its pickle yet); a line
    per slot saying what was recorded."""
    lines = []
    known = deployed(github) if any(item["action"] == "unchanged" for item in entries) else {}
    for item in entries:
        slot = item["slot"]
        if item["action"] == "unchanged" and known.get(slot, {}).get("pickle_id") == item.get("pickle_id"):
            lines.append(f"{slot}: unchanged, pickle {item.get('pickle_id')} is recorded already")
            continue
        deployment = create(github, completed(github, item), ref, run_url)
        lines.append(f"{slot}: deployment {deployment['id']} to {environment_of(slot)} ({item['state']}: "
                     f"{item['action']}, pickle {item.get('pickle_id') or '-'})")
    return lines


def slot_deployments(github: GitHub, slot: str, most: int = 30) -> list[dict[str, Any]]:
    """GitHub's record of a slot, newest first: when, at which commit, the outcome and what was deployed."""
    rows = []
    for deployment in github.pages("/deployments", most, environment=environment_of(slot)):
        payload = deployment.get("payload") if isinstance(deployment.get("payload"), dict) else {}
        rows.append({"id": deployment.get("id"), "created_at": deployment.get("created_at") or "",
                     "commit": str(deployment.get("sha") or "")[:12], "state": latest_state(github, deployment),
                     "action": payload.get("action") or "", "pickle_id": payload.get("pickle_id") or "",
                     "fingerprint": payload.get("fingerprint") or "", "image": payload.get("image") or ""})
    return rows
