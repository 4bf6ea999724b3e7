"""`numerai-deploy`: one subcommand per step of the pipeline, each in `commands/`."""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import UsageError, WorkFailed

# Each a module of commands/, imported only when it runs (or for --help): a command pays for its own
# imports alone, which keeps `check` (run once per pickle) from loading the training stack.
COMMANDS = ("validate", "schema", "runtimes", "plan", "build", "check", "deploy", "status", "summary")


def command_module(name: str):
    return importlib.import_module(f"{__package__}.commands.{name}")


def make_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numerai-deploy",
        description="Build, check and deploy the Numerai model slots specified in models/*.yaml.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    for name in COMMANDS:
        if chosen and name != chosen:
            subparsers.add_parser(name)  # parsing the chosen command never needs the others
            continue
        module = command_module(name)
        summary, _, details = (module.__doc__ or "").strip().partition("\n")
        sub = subparsers.add_parser(name, help=summary, description=summary + "\n" + details,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--repo", default=".", metavar="DIR", help="the repository's root (default: .)")
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = make_parser(argv).parse_args(argv)
    try:
        return command_module(args.command).run(args)
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
