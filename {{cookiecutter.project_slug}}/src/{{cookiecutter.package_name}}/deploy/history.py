"""A slot's uploads on Numerai, newest first, and rolling back to an earlier validated one.

Every upload stays on Numerai after another is assigned, so going back needs no build and no upload:
`rollback` assigns an earlier upload that passed Numerai's validation, then reads the assignment back.
A pickle that is not validated, or not one of this slot's uploads, is refused with the reason and
nothing changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .. import tables
from ..artifact.fingerprint import parse_uploaded_name
from ..errors import WorkFailed
from ..logs import get_logger
from ..numerai.account import model_id_of
from ..numerai.client import NumeraiClient
from ..numerai.statuses import VALIDATED, validation_of

log = get_logger(__name__)

COLUMNS = ("", "pickle id", "fingerprint", "data stamp", "image", "data", "validation", "uploaded at")


class RollbackRefused(WorkFailed):
    """The pickle asked for may not be assigned; nothing was changed. Exit code 1."""


@dataclass
class Upload:
    pickle_id: str
    filename: str
    fingerprint: str | None
    data_stamp: str | None
    image: str
    data_version: str
    validation: str
    inserted_at: str
    assigned: bool = False

    def row(self) -> tuple[str, ...]:
        return (
            "*" if self.assigned else "",
            self.pickle_id,
            self.fingerprint or "-",
            self.data_stamp or "-",
            self.image or "-",
            self.data_version or "-",
            self.validation,
            self.inserted_at or "-",
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class History:
    slot: str
    model_id: str
    assigned_id: str | None
    uploads: list[Upload]  # newest first

    def find(self, pickle_id: str) -> Upload | None:
        return next((upload for upload in self.uploads if upload.pickle_id == pickle_id), None)

    @property
    def assigned(self) -> Upload | None:
        return self.find(self.assigned_id) if self.assigned_id else None

    def as_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "model_id": self.model_id, "assigned": self.assigned_id,
                "uploads": [upload.as_json() for upload in self.uploads]}


def newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By upload time, newest first; of equal times, the one Numerai listed later first."""
    ordered = sorted(enumerate(items), key=lambda pair: (str(pair[1].get("insertedAt") or ""), pair[0]), reverse=True)
    return [item for _index, item in ordered]


def upload_of(item: dict[str, Any], assigned_id: str | None, versions: dict[str, str]) -> Upload:
    filename = str(item.get("filename") or "")
    parsed = parse_uploaded_name(filename)
    version_id = str(item.get("dataVersionId") or "")
    return Upload(
        pickle_id=str(item.get("id") or ""),
        filename=filename.rsplit("/", 1)[-1],
        fingerprint=parsed[0] if parsed else None,
        data_stamp=parsed[1] if parsed else None,
        image=str(item.get("dockerImageName") or item.get("dockerImageId") or ""),
        data_version=str(item.get("dataVersion") or versions.get(version_id) or version_id),
        validation=validation_of(item),
        inserted_at=str(item.get("insertedAt") or ""),
        assigned=assigned_id is not None and str(item.get("id")) == assigned_id,
    )


def data_version_names(client: NumeraiClient, items: list[dict[str, Any]]) -> dict[str, str]:
    """{data version id: name}, asked for only when an upload names its version by id alone."""
    if all(item.get("dataVersion") or not item.get("dataVersionId") for item in items):
        return {}
    return {version_id: name for name, version_id in client.data_versions().items()}


def slot_history(client: NumeraiClient, slot: str) -> History:
    model_id = model_id_of(client, slot)
    assigned = (client.model_state(model_id).get("computePickleUpload") or {}).get("id")
    assigned_id = str(assigned) if assigned else None
    items = [item for item in client.uploads(model_id) if item.get("id")]
    versions = data_version_names(client, items)
    uploads = [upload_of(item, assigned_id, versions) for item in newest_first(items)]
    return History(slot, model_id, assigned_id, uploads)


def text_table(history: History) -> str:
    if not history.uploads:
        return f"{history.slot}: no uploads on Numerai yet ==> numerai-deploy deploy {history.slot}"
    marker = "* assigned" if history.assigned_id else "nothing assigned"
    table = tables.text_table(COLUMNS, (upload.row() for upload in history.uploads))
    return f"{history.slot} ({marker}), newest first:\n{table}"


# -- rollback --------------------------------------------------------------------------------------


@dataclass
class Rollback:
    slot: str
    model_id: str
    previous: str | None  # the pickle assigned before
    target: Upload
    changed: bool

    def as_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "model_id": self.model_id, "previous": self.previous, "changed": self.changed,
                "assigned": self.target.as_json()}


def describe(upload: Upload) -> str:
    return f"{upload.pickle_id} ({upload.filename}, uploaded {upload.inserted_at or 'at an unknown time'})"


def choose_target(client: NumeraiClient, history: History, wanted: str | None) -> Upload:
    """The upload to assign: `wanted`, else the newest validated upload other than the current one."""
    slot = history.slot
    if wanted is None:
        earlier = [upload for upload in history.uploads
                   if upload.validation == VALIDATED and upload.pickle_id != history.assigned_id]
        if not earlier:
            raise RollbackRefused(f"slot {slot}: no other validated upload to roll back to (nothing changed) ==> "
                                  f"`numerai-deploy history {slot}` lists its uploads; deploy a fixed spec instead")
        return earlier[0]
    target = history.find(wanted)
    if target is None:
        elsewhere = [item for item in client.uploads(None, wanted) if str(item.get("id")) == wanted]
        names = {model_id: name for name, model_id in client.account_models().items()} if elsewhere else {}
        owner = (f": it is an upload of {names.get(str(elsewhere[0].get('modelId')), 'another model')}"
                 if elsewhere else "")
        raise RollbackRefused(f"slot {slot}: pickle {wanted} is not one of this slot's uploads{owner} (nothing "
                              f"changed) ==> pick one from `numerai-deploy history {slot}`")
    if target.validation != VALIDATED:
        raise RollbackRefused(f"slot {slot}: pickle {wanted} is not validated (its validation: {target.validation}); "
                              "Numerai runs only validated uploads (nothing changed) ==> pick a validated one from "
                              f"`numerai-deploy history {slot}`")
    return target


def rollback(client: NumeraiClient, slot: str, to: str | None = None) -> Rollback:
    """Assign an earlier validated upload of `slot` (no build, no upload) and read the assignment back."""
    history = slot_history(client, slot)
    target = choose_target(client, history, to)
    previous = history.assigned_id
    if target.pickle_id == previous:
        log.info(f"{slot}: pickle {describe(target)} is already assigned; nothing to do")
        return Rollback(slot, history.model_id, previous, target, changed=False)
    log.info(f"{slot}: assigning pickle {describe(target)} in place of {previous or 'nothing'}")
    client.assign(history.model_id, target.pickle_id)
    now = (client.model_state(history.model_id).get("computePickleUpload") or {}).get("id")
    if str(now) != target.pickle_id:
        raise WorkFailed(f"slot {slot}: assigned pickle {target.pickle_id}, but Numerai reports {now} ==> look at the "
                         f"slot on numer.ai, then re-run `numerai-deploy rollback {slot} --to {target.pickle_id}`")
    log.info(f"{slot}: assigned pickle {target.pickle_id} and read it back")
    target.assigned = True
    return Rollback(slot, history.model_id, previous, target, changed=True)
