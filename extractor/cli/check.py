"""``extractor check``: the identities of spec §3 on one report or one saved record."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from extractor.across import check_across
from extractor.checks import check as run_checks
from extractor.cli.app import app, err_console
from extractor.cli.options import MaxSizeOpt
from extractor.errors import ExitCode, ExtractorError
from extractor.limits import DEFAULT_MAX_SIZE_MB, Limits
from extractor.limits import configure as configure_limits
from extractor.pipeline import open_result
from extractor.readings import Finding

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def _print_table(findings: list[Finding], label: str) -> None:
    table = Table(title=label, title_justify="left", show_lines=False)
    table.add_column("rule", no_wrap=True)
    table.add_column("where", overflow="fold")
    table.add_column("stated", justify="right")
    table.add_column("computed", justify="right")
    table.add_column("status", no_wrap=True)
    for f in sorted(findings, key=lambda f: f.status != "fail"):
        style = _STYLE.get(f.severity, "")
        table.add_row(
            f.rule, f.where,
            "" if f.stated is None else str(f.stated), "" if f.computed is None else str(f.computed),
            f"[{style}]{f.status if f.status == 'not_checkable' else f.severity}[/]",
        )
    err_console.print(table)


@app.command(
    epilog="Exit codes: 0 when every rule that could be checked holds; 5 when any rule fails; "
    "3 when the input cannot be read.",
)
def check(
    file: Path | None = typer.Argument(
        None,
        help="A report (.txt .md .html .docx .pdf, or a scan with the ocr extra), or a record JSON from "
        "`extractor extract` or a gold file.",
        show_default=False,
    ),
    report: Path | None = typer.Option(
        None, "--report", "-r", help="The report text of a record JSON (default: found from its run/source)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON on stdout."),
    show_all: bool = typer.Option(
        False, "--all", help="Also list the rules that could not be checked (blank or missing inputs)."
    ),
    across: Path | None = typer.Option(
        None,
        "--across",
        help="A batch output directory (or its results.db): check consecutive years of the same body "
        "against each other.",
    ),
    max_size: MaxSizeOpt = DEFAULT_MAX_SIZE_MB,
) -> None:
    """Check a report's numbers: table sums and balances, claims in prose, prose against tables, grounding.

    A blank is never taken as agreement: a rule whose inputs are blank is 'not checkable' (shown with --all).
    Exit code 5 when any rule fails, 0 when clean.
    """
    configure_limits(Limits(max_size_mb=max_size))
    if (file is None) == (across is None):
        raise ExtractorError("give one of: a report or record FILE, or --across DIR.", ExitCode.USAGE)
    if across is not None:
        findings, label = check_across(across), across.name
        notes: list[str] = []
    elif file is not None:
        doc, extraction, notes = open_result(file, report)
        if doc is None:
            notes.append("prose, grounding and empty-table rules are not checkable without the report text")
        text = doc.text if doc is not None else None
        findings = run_checks(extraction.record, text, extraction.evidence, include_not_checkable=True)
        notes += extraction.problems  # what the engines left blank, and why
        if doc is not None and doc.ocr_pages:
            from extractor.ocr.confidence import ocr_share

            notes.append(ocr_share(doc, extraction.record, extraction.evidence).describe())
        label = file.name
    failed = [f for f in findings if f.status == "fail"]
    shown = findings if show_all else failed
    for note in notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in shown], ensure_ascii=False, indent=2))
    elif shown:
        _print_table(shown, f"{label}: findings")
    unchecked = len(findings) - len(failed)
    err_console.print(
        f"{label}: {len(failed)} failed, {unchecked} not checkable"
        + ("" if show_all or not unchecked else " (--all to list)"),
        highlight=False,
    )
    if failed:
        raise typer.Exit(int(ExitCode.FINDINGS))  # findings are the answer, not an error: no error line
