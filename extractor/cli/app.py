"""The Typer application and its error boundary.

Commands live in sibling modules (one per job) and only parse arguments and
call the core. A user's mistake (``ExtractorError``) becomes one line on
stderr and a documented exit code; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing as mp
import os
import signal
import sqlite3
import sys

import typer
from rich.console import Console
from rich.text import Text

from extractor import __version__
from extractor.errors import EXIT_CODES_HELP, ExitCode, ExtractorError, printable
from extractor.llm.config import scrub

app = typer.Typer(
    name="extractor",
    help=(
        "Turn Chinese government information-disclosure annual reports (政府信息公开工作年度报告) "
        "into clean, checked, comparable data.\n\n" + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Diagnostics, progress and tables for people go to stderr; stdout is for data.
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"extractor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Extract, check and score government information-disclosure annual reports."""


def main() -> None:
    """Console-script entry point: Typer handles usage errors (exit 2); ours become one line and their code.

    Errors from the operating system and SQLite that a user can act on (disk
    full, a read-only place, a damaged database, too little memory) are one
    line too, with their documented code; anything else is a bug and keeps its
    traceback. The first Ctrl-C lets the command stop cleanly (a batch keeps
    what finished); a second one exits at once.
    """
    signal.signal(signal.SIGINT, _first_interrupt)
    try:
        _run_app()
    finally:
        if signal.getsignal(signal.SIGINT) is _next_interrupt:
            # Interrupted and now exiting: Python's shutdown would restore the default handler, and a
            # second Ctrl-C in those milliseconds would kill us by signal instead of exit code 130.
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_app() -> None:
    try:
        app()  # standalone: exits by itself with the command's code
    except ExtractorError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted.", ExitCode.INTERRUPTED)
    except MemoryError:
        _fail(
            "ran out of memory: the input is too large for this machine; lower --max-size to refuse such files "
            "early, or use a machine with more memory.", ExitCode.BAD_INPUT,
        )
    except sqlite3.Error as exc:
        _fail(
            f"a database failed ({exc}); if it is damaged, move it aside (results.db: use a new --out; the answer "
            "cache: `extractor cache clear`) and run the command again.",
            ExitCode.WRITE if "full" in str(exc) else ExitCode.STORE,
        )
    except OSError as exc:
        _os_error(exc)


# errno values that mean "this output cannot be written here" (disk full, quota, read-only, too big)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _os_error(exc: OSError) -> None:
    if exc.errno == errno.EPIPE:  # `extractor export … -o - | head`: the reader went away, nothing to say
        os._exit(0)
    target = exc.filename2 or exc.filename
    where = f" {printable(target)}" if target is not None else ""
    if exc.errno in _WRITE_ERRNOS:
        _fail(f"cannot write{where}: {exc.strerror or exc}; free some space or choose another place.", ExitCode.WRITE)
    if exc.filename is None:  # not about a path the user gave: a bug, keep the traceback
        raise exc
    if exc.errno in (errno.EACCES, errno.EPERM):
        _fail(f"permission denied for{where}; check its permissions or choose another path.", ExitCode.BAD_INPUT)
    _fail(f"cannot write or read{where}: {exc.strerror or exc}; choose another path.", ExitCode.BAD_INPUT)


def _first_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C: stop cleanly (KeyboardInterrupt); from now on another Ctrl-C ends the process at once."""
    signal.signal(signal.SIGINT, _next_interrupt)
    raise KeyboardInterrupt


def _next_interrupt(signum: int, frame: object) -> None:
    with contextlib.suppress(OSError):
        os.write(2, b"\ninterrupted again: stopped at once (finished batch results are kept)\n")
    for child in mp.active_children():  # our own worker processes, if any
        with contextlib.suppress(OSError):
            os.kill(child.pid or 0, signal.SIGKILL)
    os._exit(int(ExitCode.INTERRUPTED))


def _fail(message: str, code: int) -> None:
    message = printable(scrub(message))  # a key or URL credential a server echoed never reaches the terminal
    err_console.print(Text.assemble(("error: ", "bold red"), message), highlight=False, soft_wrap=True)
    sys.exit(int(code))
