"""Deploying one slot: resolve it, check its webhook, skip it when up to date, else upload, wait for
Numerai's validation, assign, and read the assignment back.

Every step either moves on or raises SlotFailed with what to do; the command catches it per slot,
so one slot's failure never stops the others.
"""

from __future__ import annotations

import time
from typing import Any, cast

from ..artifact.fingerprint import PICKLE_NAME
from ..diagnostic_names import DiagnosticNames, load_names
from ..errors import UsageError
from ..judge.runs import DiagnosticsFailed, gate_for_deploy
from ..logs import get_logger
from ..modelspec import LoadedSpec
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError, AuthenticationFailed
from ..numerai.polling import polls
from ..numerai.statuses import REJECTED, VALIDATED, failure_description, latest_trigger, validation_of
from ..settings import Settings
from .artifacts import Artifact, Refused, checked_bytes
from .summary import Outcome

log = get_logger(__name__)

ASSIGNED_UNCONFIRMED = "assigned, unconfirmed"


class SlotFailed(Exception):
    """This slot cannot be deployed now; the message says why and what to do."""

    def __init__(self, message: str, *, exit_code: int = 1, status: str = "failed"):
        super().__init__(message)
        self.exit_code = exit_code
        self.status = status


def spec_file(item: LoadedSpec) -> str:
    return f"models/{item.path.name}"


class Deployer:
    def __init__(self, client: NumeraiClient, account: dict[str, str], *, settings: Settings, dry_run: bool = False,
                 force: bool = False, skip_gate: str | None = None, names: DiagnosticNames | None = None):
        self.client = client
        self.skip_gate = skip_gate  # the reason the spec's gate is not obeyed this once (--skip-gate)
        self.names = names or load_names()
        self.force = force  # upload again even when the assigned pickle is this very build
        self.account = account
        self.settings = settings
        self.dry_run = dry_run
        self._images: list[dict[str, Any]] | None = None
        self._versions: dict[str, str] | None = None

    def deploy(self, item: LoadedSpec, artifact: Artifact) -> Outcome:
        """Deploy one slot; any failure becomes this slot's outcome, never an exception."""
        outcome = Outcome(item.spec.slot)
        started = time.monotonic()
        try:
            self.deploy_slot(item, artifact, outcome)
        except SlotFailed as failure:
            outcome.fail(failure.status, failure.exit_code, str(failure))
        except AuthenticationFailed as error:
            outcome.fail("auth", 2, str(error))
        except ApiError as error:
            assigned = outcome.status == ASSIGNED_UNCONFIRMED
            detail = f"slot {outcome.slot}: {error}" + ("" if assigned else " (nothing assigned)")
            outcome.fail(outcome.status or "error", 1, detail)
        outcome.seconds = time.monotonic() - started
        return outcome

    def deploy_slot(self, item: LoadedSpec, artifact: Artifact, outcome: Outcome) -> None:
        slot = item.spec.slot
        model_id = self.model_id(slot, item)
        if model_id is None:  # a dry run of a slot deploy would create: nothing more to look up
            log.info(f"{slot}: would then upload {artifact.filename}, wait for validation, assign it and read it back")
            outcome.action, outcome.status = "would create and deploy", "dry run"
            return
        state = self.client.model_state(model_id)
        self.handle_webhook(item, model_id, state)

        assigned = state.get("computePickleUpload") or {}
        if artifact.built_as(assigned.get("filename")) and not self.force:
            log.info(
                f"{slot}: unchanged, pickle {assigned.get('id')} ({artifact.filename}) is already assigned"
            )
            outcome.action, outcome.status = "unchanged", validation_of(assigned)
            outcome.pickle_id = assigned.get("id", "")
            return

        self.obey_gate(item, artifact, model_id, assigned.get("id"), outcome)
        self.note_drift(slot, artifact, assigned)
        image = self.docker_image(slot, artifact)
        version_id = self.data_version_id(slot, artifact)
        what = (
            f"{artifact.filename} on {image.get('name')} ({image.get('image')}:{image.get('tag')}), "
            f"data {artifact.manifest.data.version}"
        )
        if self.dry_run:
            log.info(f"{slot}: would upload {what}, wait for validation, assign it and read it back")
            outcome.action, outcome.status = "would deploy", "dry run"
            return

        pickle_id = None if self.force else self.reusable_upload(slot, model_id, artifact)
        if pickle_id is None:
            content = self.checked_content(artifact)
            log.info(f"{slot}: uploading {what}")
            pickle_id = self.client.upload(
                content,
                filename=artifact.filename,
                model_id=model_id,
                data_version_id=version_id,
                docker_image_id=image["id"],
            )
            log.info(f"{slot}: uploaded, pickle {pickle_id}")
        outcome.pickle_id = pickle_id
        outcome.status = self.wait_for_validation(slot, model_id, pickle_id)

        self.client.assign(model_id, pickle_id)
        outcome.status = ASSIGNED_UNCONFIRMED
        now_assigned = (self.client.model_state(model_id).get("computePickleUpload") or {}).get("id")
        if now_assigned != pickle_id:
            raise SlotFailed(
                f"slot {slot}: assigned pickle {pickle_id}, but Numerai reports {now_assigned} "
                f"==> look at the slot on numer.ai and re-run deploy",
                status="unconfirmed",
            )
        log.info(f"{slot}: assigned pickle {pickle_id} and read it back")
        outcome.action, outcome.status = "deployed", VALIDATED

    def obey_gate(self, item: LoadedSpec, artifact: Artifact, model_id: str, assigned_id: str | None,
                  outcome: Outcome) -> None:
        """Refuse (nothing uploaded) a build that fails the spec's gate on Numerai's diagnostics, taking the
        verdict `diagnostics` recorded for it or running them now; --skip-gate REASON overrides it."""
        slot = item.spec.slot
        if not item.spec.gate:
            return
        if self.skip_gate:
            log.info(f"{slot}: the gate of {spec_file(item)} is skipped: {self.skip_gate}")
            outcome.gate = f"skipped: {self.skip_gate}"
            return
        if self.dry_run:
            log.info(f"{slot}: would obey the gate of {spec_file(item)} (Numerai's diagnostics of the build)")
            return
        try:
            verdict, source = gate_for_deploy(self.client, self.account, item, artifact.path, artifact.manifest,
                                              self.names, self.settings, assigned_id)
        except DiagnosticsFailed as error:
            raise SlotFailed(f"{error} ==> nothing was uploaded; run `numerai-deploy diagnostics {slot}` again, "
                             f"or deploy with --skip-gate REASON", status="gate") from None
        except UsageError as error:
            raise SlotFailed(f"{error} (the gate of {spec_file(item)} needs Numerai's diagnostics)",
                             exit_code=2, status="gate") from None
        outcome.gate = verdict.status
        if not verdict.passed:
            failures = "; ".join(str(failure) for failure in verdict.failures)
            raise SlotFailed(f"slot {slot}: the build fails the gate of {spec_file(item)} ({source}): {failures} "
                             f"==> nothing was uploaded; improve the model, change the gate, or deploy with "
                             f"--skip-gate REASON", status="gated")
        log.info(f"{slot}: the gate of {spec_file(item)} holds ({verdict.status}, from {source})")

    @staticmethod
    def checked_content(artifact: Artifact) -> bytes:
        """The bytes to upload: read once and checked against the manifest's and the check's sha256."""
        try:
            return checked_bytes(artifact)
        except Refused as reason:
            raise SlotFailed(str(reason), status="refused") from None

    # -- step 1: the slot on the account -----------------------------------------------------------

    def model_id(self, slot: str, item: LoadedSpec) -> str | None:
        """The slot's model id; a slot the account lacks is created when its spec says
        `deploy: {create: true}` (None in a dry run: it would be), else a failure listing the account's."""
        if slot in self.account:
            return self.account[slot]
        if item.spec.deploy.create:
            if self.dry_run:
                log.info(f"{slot}: would create the model slot {slot!r} on numer.ai (deploy.create: true)")
                return None
            model_id = self.client.add_model(slot)
            self.account[slot] = model_id
            log.info(f"{slot}: created the model slot {slot!r} on numer.ai (deploy.create: true), id {model_id}")
            return model_id
        known = ", ".join(sorted(self.account)) or "(none)"
        raise SlotFailed(
            f"slot {slot}: this Numerai account has no model named {slot!r} ==> its models are: "
            f"{known}; set `slot:` in {spec_file(item)} to one of them, create the model "
            f"at numer.ai, or set `deploy.create: true` there to let deploy create it",
            exit_code=2,
            status="unknown slot",
        )

    @staticmethod
    def note_drift(slot: str, artifact: Artifact, assigned: dict[str, Any]) -> None:
        """Say so when the assigned pickle is not one this repository built for this slot: deploy
        re-asserts the spec's build over it."""
        name = str(assigned.get("filename") or "")
        if not name:
            return
        match = PICKLE_NAME.search(name)
        if match is None or match.group("slot") != slot:
            log.info(
                f"{slot}: drifted: pickle {assigned.get('id')} ({name.rsplit('/', 1)[-1]}) is assigned, which "
                f"this repository did not build for this slot; re-asserting {artifact.filename}"
            )

    # -- step 2: webhook ---------------------------------------------------------------------------

    def handle_webhook(self, item: LoadedSpec, model_id: str, state: dict[str, Any]) -> None:
        slot = item.spec.slot
        if not state.get("submissionWebhook"):
            return
        if item.spec.deploy.webhook != "clear":
            raise SlotFailed(
                f"slot {slot} has a submission webhook (Numerai Compute), which excludes model uploads ==> "
                "remove it at numer.ai, or set `deploy: {webhook: clear}` in "
                + spec_file(item)
                + " to let deploy clear it",
                exit_code=2,
                status="webhook on",
            )
        if self.dry_run:
            log.info(f"{slot}: would clear the submission webhook (deploy.webhook: clear)")
            return
        self.client.clear_webhook(model_id)
        log.info(f"{slot}: cleared the submission webhook (deploy.webhook: clear)")

    # -- step 3: what to upload, with which image and data version ---------------------------------

    def docker_image(self, slot: str, artifact: Artifact) -> dict[str, Any]:
        """Numerai's entry for the image the pickle was built and checked for: image and tag, else name."""
        if self._images is None:
            self._images = self.client.docker_images()
        runtime = artifact.manifest.runtime
        exact = [
            entry
            for entry in self._images
            if entry.get("image") == runtime.image and entry.get("tag") == runtime.tag
        ]
        by_name = [entry for entry in self._images if entry.get("name") == runtime.name]
        if exact:
            return exact[0]
        if by_name:
            chosen = by_name[0]
            log.info(
                f"{slot}: note: Numerai's {chosen.get('name')} is {chosen.get('image')}:{chosen.get('tag')}; "
                f"the pickle was built for tag {runtime.tag}"
            )
            return chosen
        offered = ", ".join(str(entry.get("name")) for entry in self._images) or "(none)"
        raise SlotFailed(
            f"slot {slot}: Numerai offers no image {runtime.name} "
            f"({runtime.image}:{runtime.tag}) ==> it offers {offered}; set `runtime:` "
            f"in the spec to one of them and rebuild",
            status="no image",
        )

    def data_version_id(self, slot: str, artifact: Artifact) -> str:
        if self._versions is None:
            self._versions = self.client.data_versions()
        version = artifact.manifest.data.version
        if version in self._versions:
            return self._versions[version]
        offered = ", ".join(sorted(self._versions)) or "(none)"
        raise SlotFailed(
            f"slot {slot}: Numerai accepts no uploads for data {version} ==> it accepts {offered}; "
            f"set `data.version` in the spec to one of them and rebuild",
            status="no data version",
        )

    def reusable_upload(self, slot: str, model_id: str, artifact: Artifact) -> str | None:
        """An earlier upload of this very build still in or past validation (a run that timed out)."""
        candidates = [
            item
            for item in self.client.pickles(model_id)
            if artifact.built_as(item.get("filename"))
            and validation_of(item) not in REJECTED
        ]
        if not candidates:
            return None
        latest = max(enumerate(candidates), key=lambda pair: (pair[1].get("insertedAt") or "", pair[0]))[1]
        log.info(f"{slot}: reusing the earlier upload {latest['id']} of this build ({validation_of(latest)})")
        return cast("str | None", latest["id"])

    # -- step 4: validation ------------------------------------------------------------------------

    def wait_for_validation(self, slot: str, model_id: str, pickle_id: str) -> str:
        shown = None
        for _ in polls(self.settings.validation_timeout, self.settings.poll_interval):
            pickle = self.client.pickle(model_id, pickle_id)
            status = validation_of(pickle)
            if status != shown:
                log.info(f"{slot}: validation {status}")
                shown = status
            if status == VALIDATED:
                return status
            if status in REJECTED:
                self.report_rejection(slot, pickle)
                raise SlotFailed(
                    f"slot {slot}: Numerai's validation rejected pickle {pickle_id}: "
                    f"{failure_description(pickle)} ==> nothing was assigned; see the logs above, "
                    f"run `numerai-deploy check {slot}` and deploy again",
                    status=status,
                )
        raise SlotFailed(
            f"slot {slot}: validation of pickle {pickle_id} did not finish within "
            f"{self.settings.validation_timeout:g}s (last status: {status}) ==> nothing was assigned; "
            f"re-run deploy later: it picks up this upload instead of uploading again",
            status=f"timeout ({status})",
        )

    def report_rejection(self, slot: str, pickle: dict[str, Any]) -> None:
        log.info(f"{slot}: Numerai says: {failure_description(pickle)}")
        trigger = latest_trigger(pickle)
        if not trigger or not trigger.get("id"):
            return
        try:
            logs = self.client.trigger_logs(trigger["id"])
        except ApiError as error:
            log.info(f"{slot}: (the run's logs could not be read: {error})")
            return
        log.info(f"{slot}: logs of run {trigger['id']}:")
        for entry in logs:
            log.info(f"    {entry.get('timestamp', '')} {entry.get('message', '')}".rstrip())
