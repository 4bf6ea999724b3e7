"""Errors the CLI turns into exit codes without a traceback (main's error policy).

    UsageError   2  bad input: a spec, an argument, a setting, credentials
    WorkFailed   1  the work failed: a pickle that does not pass, an upload that failed
                    (UserCodeFailed: the user's training code raised; their file and line first)
    OSError      1  the machine refused: a full disk, a missing permission, a read-only folder
    anything else 3 an unexpected error: one line, the traceback with --debug or NUMERAI_DEBUG=1
"""

import errno
import sysconfig
import traceback
from pathlib import Path


class UsageError(Exception):
    """Bad input: a spec, an argument, credentials. Exit code 2."""

    exit_code = 2
    label = "error"


class WorkFailed(Exception):
    """The work itself failed: a pickle that does not pass, an upload that failed. Exit code 1."""

    exit_code = 1
    label = "failed"


class UserCodeFailed(WorkFailed):
    """The user's own code (a custom training function) raised: where, what, and its traceback. Exit code 1."""


# Where installed libraries and the standard library live: a frame there is not the user's file.
LIBRARY_PATHS = tuple(str(Path(sysconfig.get_paths()[name]).resolve()) for name in ("stdlib", "purelib", "platlib"))


def user_code_failure(error: BaseException, what: str) -> UserCodeFailed:
    """`error`, raised by the user's code called as `what`, as a UserCodeFailed whose first line names the
    user's file and line (the innermost frame outside the installed libraries), then the traceback from
    the call into their code on (the caller's own frame, the first, left out)."""
    frames = traceback.extract_tb(error.__traceback__)[1:]
    theirs = [frame for frame in frames if not str(Path(frame.filename).resolve()).startswith(LIBRARY_PATHS)]
    where = f'File "{theirs[-1].filename}", line {theirs[-1].lineno}, in {theirs[-1].name} ==> ' if theirs else ""
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    listing = "".join(traceback.format_list(frames)).rstrip()
    return UserCodeFailed(f"{where}{reason} ==> raised by your code ({what}), not by the pipeline: fix it there"
                          + (f"\nTraceback of your code (most recent call last):\n{listing}" if listing else ""))


class ChildExited(Exception):
    """A child process of ours (a build's training child) failed and has said why itself: exit with its code."""

    def __init__(self, exit_code: int):
        super().__init__(f"a child process exited {exit_code}")
        self.exit_code = exit_code


UNEXPECTED_EXIT_CODE = 3
INTERRUPTED_EXIT_CODE = 130
# The reader of our output stopped reading (`... | head`): the shell's code for a death by SIGPIPE.
BROKEN_PIPE_EXIT_CODE = 141


# What to do about the operating system's refusals that a user can fix.
ENVIRONMENT_FIXES = {
    errno.ENOSPC: "free some disk space there (or point NUMERAI_DATA_DIR or --out at a disk with room)",
    errno.EACCES: "give this user permission to write there, or choose another folder",
    errno.EPERM: "give this user permission to write there, or choose another folder",
    errno.EROFS: "that file system is read-only: choose a writable folder",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) or run fewer jobs at once",
}


def environment_problem(error: OSError) -> str:
    """One line for an OSError: the path (when known), the system's words, and the fix."""
    paths = [str(path) for path in (error.filename, error.filename2) if path is not None]
    where = " -> ".join(paths) + ": " if paths else ""
    fix = ENVIRONMENT_FIXES.get(error.errno or 0, "the operating system refused: check that path, then re-run")
    return f"{where}{error.strerror or error} ==> {fix}"
