"""The workflow jobs' entry to GitHub, standard library only (src/ on PYTHONPATH, nothing installed):

    python3 -m <package>.github record FILE [--ref SHA] [--run-url URL]   deployments from a deploy record
    python3 -m <package>.github baseline --out DIR                       each slot's deployed manifest
    python3 -m <package>.github comment --number N [--body-file FILE] [--sha SHA]   the pull request's comment
    python3 -m <package>.github alert health|deploy|datasets [--report FILE] [--outcome O] [--run-url URL]
                                                                          issues from a status or datasets report
    python3 -m <package>.github challengers --report FILE --base BRANCH [--run-url URL]
                                                   promotion pull requests and retire issues (promotions.py)

record: FILE is what `numerai-deploy deploy --record` (or `rollback --record`) wrote. baseline never fails
the job: without GitHub's answer there is no baseline, and a note says so. alert: see alerts.py. Exit 0 done,
1 GitHub refused or could not be reached, 2 a record that cannot be read or no repository or token to use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import alerts, comments, deployments, promotions
from .api import GitHubError, NotConfigured, connect

# The permission each command's job needs: a refusal names it.
PERMISSIONS = {"record": "deployments: write", "comment": "pull-requests: write", "alert": "issues: write",
               "challengers": "contents: write, pull-requests: write and issues: write"}


def read_record(path: str) -> list[dict[str, Any]] | None:
    try:
        return deployments.entries_in(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m <package>.github", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record", help="one GitHub deployment per slot of a deploy or rollback record")
    record.add_argument("file")
    record.add_argument("--ref", default=os.environ.get("GITHUB_SHA", ""), help="the commit deployed (GITHUB_SHA)")
    record.add_argument("--run-url", default="", help="the workflow run, linked from each deployment")
    baseline = commands.add_parser("baseline", help="write each slot's deployed manifest to DIR/<slot>.json")
    baseline.add_argument("--out", required=True)
    comment = commands.add_parser("comment", help="create or update the pull request's one comment")
    comment.add_argument("--number", type=int, required=True)
    comment.add_argument("--body-file", default=None, help="its text (missing: only an existing comment is updated)")
    comment.add_argument("--sha", default="", help="the commit the text is about")
    alert = commands.add_parser("alert", help="open, update or close the issues of a status or datasets report")
    alert.add_argument("mode", choices=alerts.MODES)
    alert.add_argument("--report", default=None,
                       help="the JSON of `numerai-deploy status --report` (datasets: of `datasets --report`)")
    alert.add_argument("--outcome", choices=("success", "failure"), default="failure", help="deploy: its result")
    alert.add_argument("--run-url", default="", help="the workflow run, linked from the issue")
    challengers = commands.add_parser("challengers", help="promotion pull requests and retire issues of a "
                                      "`numerai-deploy challengers --report` file")
    challengers.add_argument("--report", default=None, help="the JSON of `numerai-deploy challengers --report`")
    challengers.add_argument("--base", required=True, help="the branch promotions are proposed to (the default one)")
    challengers.add_argument("--run-url", default="", help="the workflow run, linked from the pull request")
    return parser


def run(args: argparse.Namespace) -> int:
    if args.command == "baseline":
        try:
            written = deployments.write_baseline(connect(os.environ), Path(args.out))
        except GitHubError as error:
            print(f"note: no baseline (GitHub: {error})")
            return 0
        print(f"baseline: {', '.join(written) or 'no slot deployed yet'}")
        return 0
    if args.command == "record":
        entries = read_record(args.file)
        if entries is None:
            print(f"error: {args.file} is not a deploy record ==> pass the file `deploy --record` wrote",
                  file=sys.stderr)
            return 2
        if not args.ref:
            print("error: no commit to record ==> pass --ref SHA (GITHUB_SHA in GitHub Actions)", file=sys.stderr)
            return 2
        recorded = deployments.record(connect(os.environ), entries, args.ref, args.run_url)
        print("\n".join(recorded) or "nothing to record")
        return 0
    if args.command == "challengers":
        promotions.run(connect(os.environ), args.report, args.base, args.run_url)
        return 0
    if args.command == "alert":
        alerts.run(connect(os.environ), args.mode, args.report, args.outcome, args.run_url)
        return 0
    path = Path(args.body_file) if args.body_file else None
    text = path.read_text(encoding="utf-8") if path and path.is_file() else None
    if text is not None and args.sha:
        text = text.rstrip("\n") + f"\n\n<sub>For commit {args.sha}.</sub>\n"
    print(comments.upsert(connect(os.environ), args.number, text))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except NotConfigured as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except GitHubError as error:
        print(f"failed: GitHub: {error} ==> check the job's `{PERMISSIONS[args.command]}` permission, then re-run",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
