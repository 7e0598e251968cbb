"""``extractor export``: a batch's results as JSONL, or one wide CSV / XLSX row per report."""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.cli.app import app, err_console
from extractor.errors import ExitCode, ExtractorError
from extractor.export import FORMATS, is_format
from extractor.export import export as run_export
from extractor.storage import ResultsDB


@app.command()
def export(
    directory: Path = typer.Argument(
        ..., metavar="DIR", help="The output directory of `extractor extract … --out DIR` (or its results.db)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", "-f",
        help="jsonl (one record per line), csv (wide, plus a -findings.csv beside it) or xlsx (sheets reports and "
        "findings). Default: from --output's extension, else jsonl.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: DIR/reports.<format>); '-' writes JSONL/CSV to stdout."
    ),
) -> None:
    """Export every report of a results database, one row per report, one column per canonical key."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = suffix if suffix in FORMATS else "jsonl"
    fmt = fmt.lower()
    if not is_format(fmt):
        raise ExtractorError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}.", ExitCode.USAGE)
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if suffix in FORMATS and suffix != fmt:
        disagree = f"--format {fmt} but --output {output} ends in .{suffix}; make them agree."
        raise ExtractorError(disagree, ExitCode.USAGE)
    if fmt == "xlsx" and output is not None and str(output) == "-":
        raise ExtractorError("--format xlsx cannot go to stdout; give --output a file name.", ExitCode.USAGE)
    with ResultsDB.open_existing(directory) as db:
        written = run_export(db, fmt, output)
    for path in written:
        err_console.print(f"wrote {path}", highlight=False, soft_wrap=True)
