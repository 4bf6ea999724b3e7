"""Deploy every chosen slot: pair specs with built pickles, then hand each to the Deployer.

Every slot is attempted; a slot's failure is its Outcome, never an exception, so one slot never
stops the others. Without credentials a dry run says what it would do and which lookups it skipped.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..logs import get_logger
from ..numerai.client import NumeraiClient
from ..numerai.credentials import read_credentials, require_credentials
from ..settings import Settings
from ..spec import LoadedSpec, select_specs
from .artifacts import Artifact, find_artifacts
from .deployer import Deployer
from .summary import Outcome

log = get_logger(__name__)


def targets_of(
    specs: list[LoadedSpec], artifacts: dict[str, Artifact], slots: list[str]
) -> list[tuple[LoadedSpec, Artifact]]:
    """(spec, pickle) per slot to deploy: the named slots, or every spec with a built pickle."""
    if slots:
        chosen = select_specs(specs, slots)
        missing = [item.spec.slot for item in chosen if item.spec.slot not in artifacts]
        if missing:
            raise UsageError(
                f"no built pickle for slot(s) {', '.join(missing)} ==> run "
                f"`numerai-deploy build {' '.join(missing)}` first (or pass --artifacts DIR)"
            )
    else:
        chosen = [item for item in specs if item.spec.slot in artifacts]
        for slot in sorted(set(artifacts) - {item.spec.slot for item in specs}):
            log.info(f"{slot}: not deployed: {artifacts[slot].path.name} has no spec in models/")
        if not chosen:
            raise UsageError(
                "no built pickle for any spec ==> run `numerai-deploy build` first (or pass --artifacts DIR)"
            )
    return [(item, artifacts[item.spec.slot]) for item in chosen]


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


def deploy_slots(specs: list[LoadedSpec], artifacts_dir: Path, slots: list[str], *, settings: Settings,
                 dry_run: bool = False, allow_synthetic: bool = False) -> list[Outcome]:
    """One Outcome per chosen slot, in spec order."""
    targets = targets_of(specs, find_artifacts(artifacts_dir), slots)
    if not dry_run:
        refuse_synthetic(targets, allow_synthetic)
    credentials = read_credentials(settings) if dry_run else require_credentials(settings)
    enabled = [(item, artifact) for item, artifact in targets if item.spec.deploy.enabled]
    outcomes = {item.spec.slot: disabled(item) for item, _artifact in targets if not item.spec.deploy.enabled}
    if credentials is None:
        outcomes.update({item.spec.slot: offline_plan(item, artifact) for item, artifact in enabled})
    elif enabled:
        client = NumeraiClient(credentials, settings)
        deployer = Deployer(client, client.account_models(), settings=settings, dry_run=dry_run)
        outcomes.update({item.spec.slot: deployer.deploy(item, artifact) for item, artifact in enabled})
    return [outcomes[item.spec.slot] for item, _artifact in targets]
