"""`numerai-deploy`: one subcommand per step of the pipeline, each in `commands/`.

The error policy lives here and only here: UsageError exits 2 (a malformed setting included: they are
read at start, whatever the command), WorkFailed 1, and so does an OSError (a full disk, a missing
permission, a read-only folder: one line naming the path and the fix); anything unexpected 3 with one
line (the traceback with --debug or NUMERAI_DEBUG=1). A reader that stops reading (`| head`) ends the
command silently, as it ends any Unix tool. Every message is scrubbed of the API key and of
URL query strings first.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.abc
import importlib.util
import os
import sys
import traceback
from types import ModuleType
from typing import TYPE_CHECKING, TextIO

from . import logs, progress
from .errors import (
    BROKEN_PIPE_EXIT_CODE,
    INTERRUPTED_EXIT_CODE,
    UNEXPECTED_EXIT_CODE,
    ChildExited,
    UsageError,
    WorkFailed,
    environment_problem,
)

if TYPE_CHECKING:
    from .settings import Settings

# Each a module of commands/, imported only when it runs: a command pays for its own imports alone,
# which keeps `check` (run once per pickle) from loading the training stack, and `--help` reads the
# commands' docstrings from their source without importing any of them.
COMMANDS = ("validate", "schema", "runtimes", "datasets", "plan", "build", "check", "diagnostics", "deploy", "status",
            "summary", "data", "history", "rollback", "logs", "trigger", "doctor", "preflight", "github-setup",
            "challengers")


def module_name(name: str) -> str:
    """The commands/ module of a command (`github-setup` is github_setup.py)."""
    return f"{__package__}.commands.{name.replace('-', '_')}"


def command_module(name: str) -> ModuleType:
    return importlib.import_module(module_name(name))


def command_summary(name: str) -> str:
    """The first line of a command module's docstring, read from its source, not imported."""
    spec = importlib.util.find_spec(module_name(name))
    loader = spec.loader if spec else None
    source = loader.get_source(spec.name) if spec and isinstance(loader, importlib.abc.InspectLoader) else None
    return (ast.get_docstring(ast.parse(source)) or "").strip().partition("\n")[0] if source else ""


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
        if name != chosen:  # parsing one command never needs the others; the overview needs their summaries
            subparsers.add_parser(name, help=None if chosen else command_summary(name))
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


def log_stream(module: ModuleType, args: argparse.Namespace) -> TextIO:
    """Progress messages go to stdout, unless stdout carries the command's machine-readable answer."""
    machine_readable = getattr(module, "STDOUT_IS_DATA", False) or getattr(args, "json", False)
    return sys.stderr if machine_readable else sys.stdout


def settings_or_error() -> tuple[Settings | None, UsageError | None]:
    """The run's settings, read once at start, or the error of a malformed one (reported as bad input
    once logging is set up)."""
    from .settings import load_settings  # pydantic: not for `--help`, which exits before this

    try:
        return load_settings(), None
    except UsageError as error:
        return None, error


def output_finished() -> bool:
    """Whether all that was written to stdout reached its reader. One that stopped reading gets nothing
    more: the interpreter's own flush at exit would otherwise fail again, with a traceback."""
    try:
        sys.stdout.flush()
        return True
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = make_parser(argv).parse_args(argv)
    except SystemExit:  # --help printed, or argparse refused the arguments
        output_finished()
        raise
    settings, malformed = settings_or_error()
    debug = getattr(args, "debug", False) or bool(settings and settings.debug)
    module = command_module(args.command)
    logs.configure(log_stream(module, args), debug=debug, secrets=settings.secrets() if settings else ())
    progress.configure(in_ci=bool(settings and settings.in_ci))
    try:
        if malformed:
            raise malformed
        assert settings is not None  # a malformed one raised above
        code = module.run(args, settings)
        return code if output_finished() else BROKEN_PIPE_EXIT_CODE
    except (UsageError, WorkFailed) as error:
        if debug:
            print(logs.scrub("".join(traceback.format_exception(error))), file=sys.stderr, end="")
        print(f"{error.label}: {logs.scrub(error)}", file=sys.stderr)
        return error.exit_code
    except ChildExited as error:  # it has printed its own error
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE
    except BrokenPipeError:
        output_finished()
        return BROKEN_PIPE_EXIT_CODE
    except OSError as error:  # the machine's fault, not ours: say which path and what to do
        print(f"{WorkFailed.label}: {logs.scrub(environment_problem(error))}", file=sys.stderr)
        return WorkFailed.exit_code
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
