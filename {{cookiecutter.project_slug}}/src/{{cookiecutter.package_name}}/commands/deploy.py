"""Upload each built pickle to its slot on numer.ai, wait for validation, assign it and read it back.

For every pickle in dist/ (or --artifacts) whose slot has a spec: resolve the slot to its model id,
refuse (or, with `deploy.webhook: clear`, clear) a submission webhook, skip the slot when the pickle
assigned to it is the same build, else upload it with the image and data version it was built for,
wait for Numerai's validation, assign it and confirm the assignment. Every slot is attempted; the
exit code is the worst outcome (1 a failed deploy, 2 bad input). A summary table goes to stdout and,
in GitHub Actions, to the step summary.

Credentials: NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY. Waiting: --poll-interval / --wait-timeout
(or NUMERAI_POLL_INTERVAL / NUMERAI_VALIDATION_TIMEOUT). Requests: NUMERAI_REQUEST_TIMEOUT,
NUMERAI_UPLOAD_TIMEOUT, NUMERAI_RETRY_ATTEMPTS, NUMERAI_RETRY_BACKOFF, NUMERAI_RETRY_BUDGET.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..api import read_credentials, require_credentials
from ..deploy.artifacts import Artifact, find_artifacts
from ..deploy.client import ApiError, AuthenticationFailed, NumeraiClient, Settings
from ..deploy.deployer import Deployer, WaitSettings
from ..deploy.summary import Outcome, append_step_summary, markdown, text_table
from ..errors import UsageError, WorkFailed
from ..spec import LoadedSpec
from .common import load_all, repo_from, select


def add_arguments(parser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to deploy (default: every built one)")
    parser.add_argument(
        "--artifacts",
        default=None,
        metavar="DIR",
        help="folder of built pickles and their manifests (default: dist/)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would happen; read-only lookups only, no upload or change",
    )
    parser.add_argument(
        "--allow-synthetic",
        action="store_true",
        help="deploy pickles trained on synthetic data too (tests and demos only)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between validation polls (default: 10)",
    )
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="longest wait for Numerai's validation of one upload (default: 1200)",
    )


def run(args) -> int:
    repo = repo_from(args)
    specs, _catalogue = load_all(repo)
    artifacts = find_artifacts(Path(args.artifacts) if args.artifacts else repo.dist)
    targets = targets_of(specs, artifacts, args.slots)
    if not args.dry_run:
        refuse_synthetic(targets, args.allow_synthetic)
    wait = WaitSettings.from_env(
        poll_interval=positive_or_none("--poll-interval", args.poll_interval),
        timeout=positive_or_none("--wait-timeout", args.wait_timeout),
    )

    credentials = read_credentials() if args.dry_run else require_credentials()
    enabled = [(item, artifact) for item, artifact in targets if item.spec.deploy.enabled]
    outcomes = {item.spec.slot: disabled(item) for item, _artifact in targets if not item.spec.deploy.enabled}
    if credentials is None:
        outcomes.update({item.spec.slot: offline_plan(item, artifact) for item, artifact in enabled})
    elif enabled:
        client = NumeraiClient(credentials, Settings.from_env(), log=print)
        deployer = Deployer(client, account_of(client), wait=wait, dry_run=args.dry_run, log=print)
        outcomes.update({item.spec.slot: deployer.deploy(item, artifact) for item, artifact in enabled})
    return report([outcomes[item.spec.slot] for item, _artifact in targets], dry_run=args.dry_run)


def targets_of(
    specs: list[LoadedSpec], artifacts: dict[str, Artifact], slots: list[str]
) -> list[tuple[LoadedSpec, Artifact]]:
    """(spec, pickle) per slot to deploy: the named slots, or every spec with a built pickle."""
    if slots:
        chosen = select(specs, slots)
        missing = [item.spec.slot for item in chosen if item.spec.slot not in artifacts]
        if missing:
            raise UsageError(
                f"no built pickle for slot(s) {', '.join(missing)} ==> run "
                f"`numerai-deploy build {' '.join(missing)}` first (or pass --artifacts DIR)"
            )
    else:
        chosen = [item for item in specs if item.spec.slot in artifacts]
        for slot in sorted(set(artifacts) - {item.spec.slot for item in specs}):
            print(f"{slot}: not deployed: {artifacts[slot].path.name} has no spec in models/")
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


def positive_or_none(flag: str, value: float | None) -> float | None:
    if value is not None and value <= 0:
        raise UsageError(f"{flag} {value:g} ==> expected a positive number of seconds")
    return value


def account_of(client: NumeraiClient) -> dict[str, str]:
    try:
        return client.account_models()
    except AuthenticationFailed as error:
        raise UsageError(str(error)) from None
    except ApiError as error:
        raise WorkFailed(f"could not read the account's models: {error}") from None


def offline_plan(item: LoadedSpec, artifact: Artifact) -> Outcome:
    """A dry run without credentials: what would happen, and which lookups were skipped."""
    slot, runtime = item.spec.slot, artifact.manifest["runtime"]
    print(
        f"{slot}: would upload {artifact.filename} on {runtime.get('name')} "
        f"({runtime.get('image')}:{runtime.get('tag')}), data {artifact.manifest['data']['version']}, "
        f"wait for validation, assign it and read it back"
    )
    print(
        f"{slot}: skipped without credentials: the slot's model id, its webhook, the assigned pickle's "
        f"fingerprint (so whether it is already up to date), Numerai's image and data version ids"
    )
    return Outcome(slot, action="would deploy", status="not checked")


def disabled(item: LoadedSpec) -> Outcome:
    print(f"{item.spec.slot}: skipped: deploy.enabled is false in models/{item.path.name}")
    return Outcome(item.spec.slot, action="disabled", status="skipped")


def report(outcomes: list[Outcome], *, dry_run: bool) -> int:
    print()
    print(text_table(outcomes))
    for outcome in outcomes:
        if outcome.detail:
            print(f"{'error' if outcome.exit_code == 2 else 'failed'}: {outcome.detail}", file=sys.stderr)
    append_step_summary(markdown(outcomes, "Numerai deploy (dry run)" if dry_run else "Numerai deploy"))
    return max((outcome.exit_code for outcome in outcomes), default=0)
