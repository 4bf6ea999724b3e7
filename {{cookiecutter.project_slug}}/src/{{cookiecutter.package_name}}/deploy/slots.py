"""Deploy every chosen slot: for each spec, the checked build of its current version, handed to the
Deployer; a slot without one is refused (nothing uploaded) with the reason and the fix.

Every slot is attempted; a slot's failure is its Outcome, never an exception, so one slot never
stops the others. A dry run refuses exactly what a deploy refuses (synthetic, stale, unchecked or tampered
builds), with the same messages and exit codes; without credentials it says what it would do and
which lookups it skipped.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostic_names import DiagnosticNames
from ..errors import UsageError
from ..logs import get_logger
from ..modelspec import LoadedSpec, select_specs
from ..numerai.client import NumeraiClient
from ..numerai.credentials import read_credentials, require_credentials
from ..runtimes import Runtime, resolve_runtime
from ..settings import Settings
from .artifacts import Artifact, Refused, current_build, deployable, find_artifacts
from .deployer import Deployer
from .lock import slot_lock
from .summary import Outcome

log = get_logger(__name__)


def chosen_specs(specs: list[LoadedSpec], artifacts: dict[str, list[Artifact]], slots: list[str]) -> list[LoadedSpec]:
    """The named slots, or every spec with a build at hand (CI downloads only the builds of changed slots)."""
    if slots:
        return select_specs(specs, slots)
    for slot in sorted(set(artifacts) - {item.spec.slot for item in specs}):
        log.info(f"{slot}: not deployed: {artifacts[slot][0].path.name} has no spec in models/")
    chosen = [item for item in specs if item.spec.slot in artifacts]
    if not chosen:
        raise UsageError("no built pickle for any spec ==> run `numerai-deploy build` first (or pass --artifacts DIR)")
    return chosen


def current_builds(specs: list[LoadedSpec], catalogue: list[Runtime], package_dir: Path, folder: Path,
                   slots: list[str]) -> list[tuple[LoadedSpec, Artifact]]:
    """Each chosen slot's build of its current spec in `folder` (see chosen_specs); a slot without one is bad
    input (a UsageError saying why)."""
    artifacts = find_artifacts(folder)
    builds = []
    for item in chosen_specs(specs, artifacts, slots):
        try:
            runtime = resolve_runtime(item.spec.runtime, catalogue)
            builds.append((item, current_build(item, runtime, package_dir, artifacts.get(item.spec.slot, []))))
        except Refused as reason:
            raise UsageError(str(reason)) from None
    return builds


def gate_skip_reason(reason: str | None) -> str | None:
    """--skip-gate's reason, which the deployment record carries: never empty."""
    if reason is not None and not reason.strip():
        raise UsageError("--skip-gate needs a reason ==> say why this build may deploy despite its gate")
    return reason.strip() if reason else None


def refuse_synthetic(targets: list[tuple[LoadedSpec, Artifact]], allowed: bool) -> None:
    synthetic = [
        artifact.path.name for item, artifact in targets if artifact.synthetic and item.spec.deploy.enabled
    ]
    if synthetic and not allowed:
        raise UsageError(
            f"{', '.join(synthetic)} trained on synthetic data ==> build on Numerai's data "
            f"(numerai-deploy build, without --synthetic), or pass --allow-synthetic"
        )


def offline_plan(item: LoadedSpec, artifact: Artifact) -> Outcome:
    """A dry run without credentials: what would happen, and which lookups were skipped."""
    slot, runtime = item.spec.slot, artifact.manifest.runtime
    log.info(
        f"{slot}: would upload {artifact.filename} on {runtime.name} "
        f"({runtime.reference}), data {artifact.manifest.data.version}, "
        f"wait for validation, assign it and read it back"
    )
    log.info(
        f"{slot}: skipped without credentials: the slot's model id, its webhook, the assigned pickle's "
        f"fingerprint (so whether it is already up to date), Numerai's image and data version ids"
    )
    return Outcome(slot, action="would deploy", status="not checked")


def disabled(item: LoadedSpec) -> Outcome:
    log.info(f"{item.spec.slot}: skipped: deploy.enabled is false in models/{item.path.name}")
    return Outcome(item.spec.slot, action="disabled", status="skipped")


def refused(slot: str, reason: Refused) -> Outcome:
    outcome = Outcome(slot)
    outcome.fail("refused", 1, str(reason))
    log.info(f"{slot}: refused: {reason}")
    return outcome


def deploy_slots(specs: list[tuple[LoadedSpec, Runtime]], package_dir: Path, artifacts_dir: Path, slots: list[str], *,
                 settings: Settings, dry_run: bool = False, allow_synthetic: bool = False,
                 force: bool = False, skip_gate: str | None = None,
                 names: DiagnosticNames | None = None) -> tuple[list[Outcome], dict[str, Artifact]]:
    """One Outcome per chosen slot, in spec order, and the build of each slot that went to Numerai."""
    runtimes = {item.spec.slot: runtime for item, runtime in specs}
    artifacts = find_artifacts(artifacts_dir)
    chosen = chosen_specs([item for item, _runtime in specs], artifacts, slots)
    outcomes: dict[str, Outcome] = {}
    targets = []
    for item in chosen:
        slot = item.spec.slot
        if not item.spec.deploy.enabled:
            outcomes[slot] = disabled(item)
            continue
        try:
            targets.append((item, deployable(item, runtimes[slot], package_dir, artifacts.get(slot, []))))
        except Refused as reason:
            outcomes[slot] = refused(slot, reason)
    refuse_synthetic(targets, allow_synthetic)  # a dry run applies every rule a deploy applies
    credentials = read_credentials(settings) if dry_run else require_credentials(settings)
    if credentials is None:
        outcomes.update({item.spec.slot: offline_plan(item, artifact) for item, artifact in targets})
    elif targets:
        client = NumeraiClient(credentials, settings)
        deployer = Deployer(client, client.account_models(), settings=settings, dry_run=dry_run, force=force,
                            skip_gate=skip_gate, names=names)
        outcomes.update({item.spec.slot: deploy_alone(deployer, item, artifact, artifacts_dir, settings)
                         for item, artifact in targets})
    sent = {item.spec.slot: artifact for item, artifact in targets} if credentials else {}
    return [outcomes[item.spec.slot] for item in chosen], sent


def deploy_alone(deployer: Deployer, item: LoadedSpec, artifact: Artifact, artifacts_dir: Path,
                 settings: Settings) -> Outcome:
    """Deploy one slot holding its lock, so that a concurrent deploy of it waits and then finds it done
    (lock.py); a dry run changes nothing and takes none."""
    slot = item.spec.slot
    if deployer.dry_run:
        return deployer.deploy(item, artifact)

    def waiting(holder: str) -> None:
        log.info(f"{slot}: waiting for another deploy of this slot to finish ({holder or 'holder unknown'})")

    # As long as one slot's deploy may hold it: its upload, then the wait for validation.
    budget = settings.upload_timeout + settings.validation_timeout
    with slot_lock(artifacts_dir, slot, budget, waiting) as lock:
        if lock.acquired:
            return deployer.deploy(item, artifact)
    outcome = Outcome(slot)
    outcome.fail("busy", 1, f"slot {slot}: {lock.busy_message}")
    log.info(f"{slot}: not deployed: {lock.busy_message}")
    return outcome
