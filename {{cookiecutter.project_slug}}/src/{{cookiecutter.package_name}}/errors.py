"""Errors the CLI turns into exit codes without a traceback (main's error policy).

    UsageError   2  bad input: a spec, an argument, a setting, credentials
    WorkFailed   1  the work failed: a pickle that does not pass, an upload that failed
    OSError      1  the machine refused: a full disk, a missing permission, a read-only folder
    anything else 3 an unexpected error: one line, the traceback with --debug or NUMERAI_DEBUG=1
"""

import errno


class UsageError(Exception):
    """Bad input: a spec, an argument, credentials. Exit code 2."""

    exit_code = 2
    label = "error"


class WorkFailed(Exception):
    """The work itself failed: a pickle that does not pass, an upload that failed. Exit code 1."""

    exit_code = 1
    label = "failed"


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
