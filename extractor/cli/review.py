"""``extractor review``: a self-contained HTML page to check one record by eye."""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.atomic import atomic_write_text
from extractor.cli.app import app, err_console
from extractor.cli.options import MaxSizeOpt
from extractor.errors import InputError
from extractor.limits import DEFAULT_MAX_SIZE_MB, Limits
from extractor.limits import configure as configure_limits
from extractor.pipeline import open_result
from extractor.review import render_review


@app.command()
def review(
    file_or_result: Path = typer.Argument(..., help="A report file, or a record JSON written by `extractor extract`."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Where to write the page [default: ./<name>.review.html]."
    ),
    report: Path | None = typer.Option(
        None, "--report", "-r", help="The report of a record JSON (default: found from the record)."
    ),
    max_size: MaxSizeOpt = DEFAULT_MAX_SIZE_MB,
) -> None:
    """Write a review page: the source text with every value highlighted at its evidence, the tables beside it."""
    configure_limits(Limits(max_size_mb=max_size))
    doc, extraction, notes = open_result(file_or_result, report)
    for note in notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if doc is None:
        raise InputError(f"{file_or_result}: the review page needs the report text; give it with --report.")
    target = out or Path(file_or_result.stem + ".review.html")  # here, not in the input tree a batch reads
    atomic_write_text(target, render_review(doc, extraction))
    err_console.print(f"review page written to [bold]{target}[/]")
