"""The Typer application and its error boundary.

Commands live in sibling modules (one per job) and only parse arguments and
call the core. A user's mistake (``ExtractorError``) becomes one line on
stderr and a documented exit code; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.text import Text

from extractor import __version__
from extractor.errors import EXIT_CODES_HELP, ExitCode, ExtractorError

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
    """Console-script entry point: Typer handles usage errors (exit 2); ours become one line and their code."""
    try:
        app()  # standalone: exits by itself with the command's code
    except ExtractorError as exc:
        _fail(str(exc), exc.exit_code)
    except OSError as exc:
        if exc.filename is None:  # not about a path the user gave: a bug, keep the traceback
            raise
        target = exc.filename2 or exc.filename
        _fail(f"cannot write or read {target}: {exc.strerror or exc}; choose another path.", ExitCode.BAD_INPUT)


def _fail(message: str, code: int) -> None:
    err_console.print(Text.assemble(("error: ", "bold red"), message), highlight=False, soft_wrap=True)
    sys.exit(int(code))
