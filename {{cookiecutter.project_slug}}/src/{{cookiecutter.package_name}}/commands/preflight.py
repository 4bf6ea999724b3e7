"""Check in seconds, before any build, that the API key is set, accepted and may upload.

Asks Numerai once (apiTokenInfo, a short timeout and budget) whether NUMERAI_PUBLIC_ID and
NUMERAI_SECRET_KEY are a key it accepts and whether that key has the upload_submission scope. Exit 0
when it does, 2 when the key is missing, rejected or lacks the scope, with the `gh secret set` lines
that fix it. Numerai not answering in time is a warning (exit 0): the deploy retries longer.
--annotate also writes the verdict as a GitHub Actions annotation (`::error::`) and to the job summary;
the deploy workflow's first job runs it so, and every other job waits for it. `numerai-deploy doctor`
checks the rest (each slot, its webhook, the runtimes).
"""

from __future__ import annotations

import argparse
import sys

from ..github_actions import append_summary
from ..readiness.preflight import annotation, check_key, fix_lines, summary
from ..settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--annotate", action="store_true",
                        help="also write a GitHub Actions annotation and the job summary (in a workflow)")
    parser.add_argument("--repository", default=None, metavar="OWNER/NAME",
                        help="the GitHub repository the `gh secret set` lines name (a workflow: $GITHUB_REPOSITORY)")
    parser.add_argument("--environment", default=None, metavar="NAME",
                        help="the GitHub environment holding the secrets, when deploys run in one")
    parser.add_argument("--allow-missing", action="store_true",
                        help="no key at all is a warning, not a failure (a dry run plans without Numerai)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    verdict = check_key(settings, allow_missing=args.allow_missing)
    if args.annotate:
        print(annotation(verdict, args.repository, args.environment))
        append_summary(settings, summary(verdict, args.repository, args.environment))
    if verdict.failed:
        fix = "\n".join(f"    {line}" for line in fix_lines(args.repository, args.environment))
        print(f"error: {verdict.message} ==>\n{fix}", file=sys.stderr)
    else:
        print(f"{'note' if verdict.warning else 'ok'}: {verdict.message}")
    return verdict.exit_code
