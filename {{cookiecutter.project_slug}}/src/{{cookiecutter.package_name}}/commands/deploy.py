"""Upload each built pickle to its slot on numer.ai, wait for validation, assign it and read it back.

For each slot, deploy takes the build in dist/ (or --artifacts) whose fingerprint is what the current
spec builds, and only when its sha256 matches its manifest, its check passed against the image it
will run in and it was built with that image's Python and pins; anything else is refused (exit 1,
nothing uploaded) with the reason and the fix. Then: resolve the slot to its model id,
refuse (or, with `deploy.webhook: clear`, clear) a submission webhook, skip the slot when the pickle
assigned to it is the same build, else upload it with the image and data version it was built for,
wait for Numerai's validation, assign it and confirm the assignment. Every slot is attempted; the
exit code is the worst outcome (1 a failed deploy, 2 bad input). A summary table goes to stdout and,
in GitHub Actions, to the step summary. --record FILE also writes what each slot's deploy did (pickle,
fingerprint, image, data version, metrics) for the job that records it as a GitHub deployment.
A spec with a `gate:` deploys only a build whose Numerai diagnostics hold its bounds (the verdict
`diagnostics` recorded for the build, or diagnostics run now); --skip-gate REASON overrides that, and
the record carries the reason.

Credentials: NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY. Waiting: --poll-interval / --wait-timeout
(or NUMERAI_POLL_INTERVAL / NUMERAI_VALIDATION_TIMEOUT). Requests: NUMERAI_REQUEST_TIMEOUT,
NUMERAI_UPLOAD_TIMEOUT, NUMERAI_RETRY_ATTEMPTS, NUMERAI_RETRY_BACKOFF, NUMERAI_RETRY_BUDGET.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..deploy.record import deploy_entries, write_record
from ..deploy.slots import deploy_slots, gate_skip_reason
from ..deploy.summary import Outcome, markdown, text_table
from ..diagnostic_names import load_names
from ..github_actions import append_summary
from ..settings import Settings
from .common import load_all, positive_seconds, repo_from, runtime_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to deploy (default: every built one)")
    parser.add_argument("--artifacts", default=None, metavar="DIR",
                        help="folder of built pickles and their manifests (default: dist/)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would happen; read-only lookups only, no upload or change")
    parser.add_argument("--allow-synthetic", action="store_true",
                        help="deploy pickles trained on synthetic data too (tests and demos only)")
    parser.add_argument("--force", action="store_true",
                        help="upload again even when the assigned pickle is already this build")
    parser.add_argument("--skip-gate", default=None, metavar="REASON",
                        help="deploy even a build that fails its spec's gate; the reason goes into the record")
    parser.add_argument("--record", default=None, metavar="FILE",
                        help="also write what each slot's deploy did, for GitHub deployments (not in a dry run)")
    parser.add_argument("--poll-interval", type=float, default=None, metavar="SECONDS",
                        help="seconds between validation polls (default: 10)")
    parser.add_argument("--wait-timeout", type=float, default=None, metavar="SECONDS",
                        help="longest wait for Numerai's validation of one upload (default: 1200)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    settings = settings.with_overrides(
        poll_interval=positive_seconds("--poll-interval", args.poll_interval),
        validation_timeout=positive_seconds("--wait-timeout", args.wait_timeout),
    )
    outcomes, sent = deploy_slots([(item, runtime_of(item, catalogue)) for item in specs], repo.package_dir,
                            Path(args.artifacts) if args.artifacts else repo.dist, args.slots, settings=settings,
                            dry_run=args.dry_run, allow_synthetic=args.allow_synthetic, force=args.force,
                            skip_gate=gate_skip_reason(args.skip_gate), names=load_names(repo.datasets))
    if args.record and not args.dry_run:
        write_record(Path(args.record), deploy_entries(outcomes, sent))
    return report(outcomes, settings, dry_run=args.dry_run)


def report(outcomes: list[Outcome], settings: Settings, *, dry_run: bool) -> int:
    print()
    print(text_table(outcomes))
    for outcome in outcomes:
        if outcome.detail:
            print(f"{'error' if outcome.exit_code == 2 else 'failed'}: {outcome.detail}", file=sys.stderr)
    append_summary(settings, markdown(outcomes, "Numerai deploy (dry run)" if dry_run else "Numerai deploy"))
    return max((outcome.exit_code for outcome in outcomes), default=0)
