"""Put this repository on GitHub and start its pipeline: one command, through the GitHub CLI (gh).

Creates the private repository (`gh repo create --source .`) unless `origin` exists, the environment
`numerai` when the deploy job runs in one, stores NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY as Actions
secrets (from the environment, or asked for without echo; checked with Numerai first; sent to gh on
stdin, never printed), lets workflows open pull requests, pushes main (which starts the deploy) or, when
main was pushed before, starts the deploy workflow. Run it again to rotate the key: what is done already
is skipped. --dry-run prints the gh and git commands, the key masked, and changes nothing. Needs gh,
logged in (`gh auth login`), and a git repository on main with a commit (a default bake is one).
"""

from __future__ import annotations

import argparse

from ..readiness.github_setup import github_setup
from ..settings import Settings
from .common import repo_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="print the commands (the key masked), run none, ask for nothing")
    parser.add_argument("--public", action="store_true", help="create a public repository (default: private)")
    parser.add_argument("--no-key-check", action="store_true",
                        help="store the key without asking Numerai whether it works")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    github_setup(repo.root, settings, dry_run=args.dry_run, visibility="public" if args.public else "private",
                 check=not args.no_key_check)
    return 0
