"""`numerai-deploy`: one subcommand per step of the pipeline, each in `commands/`."""

from __future__ import annotations

import argparse
import sys

from .commands import build, check, deploy, plan, runtimes, schema, status, validate
from .errors import UsageError, WorkFailed

COMMANDS = {
    "validate": validate,
    "schema": schema,
    "runtimes": runtimes,
    "plan": plan,
    "build": build,
    "check": check,
    "deploy": deploy,
    "status": status,
}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numerai-deploy",
        description="Build, check and deploy the Numerai model slots specified in models/*.yaml.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        summary, _, details = (module.__doc__ or "").strip().partition("\n")
        sub = subparsers.add_parser(name, help=summary, description=summary + "\n" + details,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--repo", default=".", metavar="DIR", help="the repository's root (default: .)")
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return UsageError.exit_code
    except WorkFailed as error:
        print(f"failed: {error}", file=sys.stderr)
        return WorkFailed.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
