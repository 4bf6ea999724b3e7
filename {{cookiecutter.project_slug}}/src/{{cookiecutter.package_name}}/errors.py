"""Errors the CLI turns into exit codes without a traceback (main's error policy).

    UsageError   2  bad input: a spec, an argument, a setting, credentials
    WorkFailed   1  the work failed: a pickle that does not pass, an upload that failed
    anything else 3 an unexpected error: one line, the traceback with --debug or NUMERAI_DEBUG=1
"""


class UsageError(Exception):
    """Bad input: a spec, an argument, credentials. Exit code 2."""

    exit_code = 2
    label = "error"


class WorkFailed(Exception):
    """The work itself failed: a pickle that does not pass, an upload that failed. Exit code 1."""

    exit_code = 1
    label = "failed"


UNEXPECTED_EXIT_CODE = 3
INTERRUPTED_EXIT_CODE = 130
