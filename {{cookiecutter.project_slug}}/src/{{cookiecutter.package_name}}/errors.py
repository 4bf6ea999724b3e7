"""Errors the CLI turns into exit codes without a traceback."""


class UsageError(Exception):
    """Bad input: a spec, an argument, credentials. Exit code 2."""

    exit_code = 2


class WorkFailed(Exception):
    """The work itself failed: a pickle that does not pass, an upload that failed. Exit code 1."""

    exit_code = 1
