"""``extractor extract``: a report in, its canonical record (JSON) out."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from extractor.cli.app import app
from extractor.pipeline import extract_path


@app.command()
def extract(
    file: Path = typer.Argument(..., help="The report: .txt .md .html .htm .docx or .pdf."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the record here instead of stdout."),
) -> None:
    """Extract the canonical record of one report (reader engine; no model needed)."""
    extraction = extract_path(file)
    text = json.dumps(extraction.to_json_dict(), ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
