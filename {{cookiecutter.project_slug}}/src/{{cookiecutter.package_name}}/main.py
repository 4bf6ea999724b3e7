"""`numerai-deploy`: one subcommand per step of the pipeline, each in `commands/`.

The error policy lives here and only here: UsageError exits 2, WorkFailed 1, anything unexpected 3
with one line (the traceback with --debug or NUMERAI_DEBUG=1); every message is scrubbed of the
API key and of URL query strings first.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from . import logs
from .errors import INTERRUPTED_EXIT_CODE, UNEXPECTED_EXIT_CODE, UsageError, WorkFailed
from .settings import load_settings

# Each a module of commands/, imported only when it runs (or for --help): a command pays for its own
# imports alone, which keeps `check` (run once per pickle) from loading the training stack.
COMMANDS = ("validate", "schema", "runtimes", "plan", "build", "check", "deploy", "status", "summary", "data",
            "history", "rollback", "logs", "trigger", "doctor", "preflight", "github-setup")


def command_module(name: str):
    return importlib.import_module(f"{__package__}.commands.{name.replace('-', '_')}")


def make_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numerai-deploy",
        description="Build, check and deploy the Numerai model slots specified in models/*.yaml.",
    )
    parser.add_argument("--debug", action="store_true",
                        help="show debug messages and the traceback of an unexpected error (also: NUMERAI_DEBUG=1)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((word for word in argv or [] if word in COMMANDS), None)
    for name in COMMANDS:
        if chosen and name != chosen:
            subparsers.add_parser(name)  # parsing the chosen command never needs the others
            continue
        module = command_module(name)
        summary, _, details = (module.__doc__ or "").strip().partition("\n")
        sub = subparsers.add_parser(name, help=summary, description=summary + "\n" + details,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--repo", default=".", metavar="DIR", help="the repository's root (default: .)")
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show debug messages and the traceback of an unexpected error")
        module.add_arguments(sub)
    return parser


def log_stream(module, args):
    """Progress messages go to stdout, unless stdout carries the command's machine-readable answer."""
    machine_readable = getattr(module, "STDOUT_IS_DATA", False) or getattr(args, "json", False)
    return sys.stderr if machine_readable else sys.stdout


def wants_debug(args) -> bool:
    if getattr(args, "debug", False):
        return True
    try:
        return load_settings().debug
    except UsageError:
        return False  # reported by whichever command reads the settings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = make_parser(argv).parse_args(argv)
    debug = wants_debug(args)
    module = command_module(args.command)
    logs.configure(log_stream(module, args), debug=debug)
    try:
        return module.run(args)
    except (UsageError, WorkFailed) as error:
        print(f"{error.label}: {logs.scrub(error)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE
    except Exception as error:  # the policy's last line: one line, never a raw traceback
        if debug:
            print(logs.scrub("".join(traceback.format_exception(error))), file=sys.stderr, end="")
        reason = logs.scrub(str(error).splitlines()[0] if str(error) else "")
        print(f"unexpected error: {type(error).__name__}{': ' + reason if reason else ''} ==> this is a bug, "
              "not your input; re-run with --debug (or NUMERAI_DEBUG=1) to see the traceback",
              file=sys.stderr)
        return UNEXPECTED_EXIT_CODE


if __name__ == "__main__":
    sys.exit(main())
