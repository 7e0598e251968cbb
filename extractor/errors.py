"""Errors a user can act on, each with its documented exit code.

The CLI turns an ``ExtractorError`` into one line on stderr and its exit code;
anything else is a bug and keeps its traceback. Operating-system and SQLite
errors a user can act on (disk full, a read-only or corrupted file) are mapped
to these codes at the CLI's boundary by ``cli.app``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # unexpected internal error (a bug: please report it)
    USAGE = 2  # bad command-line usage (Typer/Click's own code)
    BAD_INPUT = 3  # the input file is missing, empty, unreadable, too large, not a regular file or of an unknown kind
    MODEL = 4  # the model endpoint is not configured, unreachable or refused the request
    FINDINGS = 5  # `check` found problems / `eval` fell below --min-f1
    PARTIAL = 6  # a batch finished, but some reports failed
    WRITE = 7  # an output could not be written: disk full, read-only place, a full database
    STORE = 8  # a results database or the answer cache is corrupted, or locked by another batch
    INTERRUPTED = 130  # Ctrl-C (finished batch results are kept)


EXIT_CODES_HELP = (
    "Exit codes: 0 ok · 1 internal error · 2 usage error · 3 bad input (missing, unreadable, too large, "
    "not a regular file) · 4 model endpoint problem · 5 findings present / below threshold · "
    "6 batch finished with failures · 7 cannot write an output (disk full, read-only) · "
    "8 results database corrupted or in use by another batch · "
    "130 interrupted (finished batch results are kept)."
)


class ExtractorError(Exception):
    """A problem the user can fix; ``str(self)`` says what is wrong and what to do."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(ExtractorError):
    """The input document cannot be read as a report."""

    exit_code = ExitCode.BAD_INPUT


class ModelError(ExtractorError):
    """The model endpoint is missing, unreachable or refused us."""

    exit_code = ExitCode.MODEL


class WriteError(ExtractorError):
    """An output (file, results database, cache) could not be written: disk full, read-only, too big."""

    exit_code = ExitCode.WRITE


class StoreError(ExtractorError):
    """A results database is corrupted or in use by another batch."""

    exit_code = ExitCode.STORE


def printable(name: object) -> str:
    """A file name (or any text from outside) safe to print: control characters escaped, never interpreted.

    A file named ``\\x1b]0;pwned\\x07.txt`` must not drive the user's terminal.
    """
    text = str(name)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
