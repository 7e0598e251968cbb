"""``extractor check``: the identities of spec §3 on one report or one saved record."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from extractor.checks import check as run_checks
from extractor.cli.app import app, err_console
from extractor.errors import ExitCode, InputError
from extractor.readings import Evidence, Extraction, Finding
from extractor.record import Record


def _report_for(record_path: Path, extraction: Extraction) -> Path | None:
    """The report a saved record came from: ``run.input_path``, else ``source`` beside the JSON or in ../reports."""
    candidates: list[Path] = []
    if extraction.run.input_path:
        candidates.append(Path(extraction.run.input_path))
    if extraction.record.source:
        name = Path(extraction.record.source)
        candidates += [name, record_path.parent / name, record_path.parent.parent / "reports" / name]
    return next((p for p in candidates if p.is_file()), None)


def _open(file: Path, report: Path | None) -> tuple[Record, str | None, dict[str, Evidence], list[str]]:
    """Record, report text (None when it cannot be found), evidence, and notes for the user."""
    from extractor.loading import load

    notes: list[str] = []
    if file.suffix.lower() != ".json":
        from extractor.pipeline import extract_document

        doc = load(file)
        extraction = extract_document(doc)
        return extraction.record, doc.text, extraction.evidence, notes
    try:
        extraction = Extraction.from_json_dict(json.loads(file.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError(f"{file}: no such file.") from None
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"{file}: not a canonical record JSON ({first}); pass the report itself instead.") from None
    source = report or _report_for(file, extraction)
    if source is None:
        notes.append("report text not found (give it with --report): prose, grounding and empty-table rules are not checkable")
        return extraction.record, None, extraction.evidence, notes
    doc = load(source)
    evidence = extraction.evidence
    if extraction.run.input_sha256 and doc.sha256 != extraction.run.input_sha256:
        notes.append(f"{source} changed since the record was written: its evidence spans are ignored")
        evidence = {}
    return extraction.record, doc.text, evidence, notes


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
    epilog="Exit codes: 0 when every rule that could be checked holds; 5 when any rule fails; 3 when the input cannot be read.",
)
def check(
    file: Path = typer.Argument(..., help="A report (.txt .md .html .docx .pdf), or a record JSON from `extractor extract` or a gold file."),
    report: Path | None = typer.Option(None, "--report", "-r", help="The report text of a record JSON (default: found from its run/source)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON on stdout."),
    show_all: bool = typer.Option(False, "--all", help="Also list the rules that could not be checked (blank or missing inputs)."),
) -> None:
    """Check a report's numbers: table sums and balances, claims in prose, prose against tables, grounding.

    A blank is never taken as agreement: a rule whose inputs are blank is 'not checkable' (shown with --all).
    Exit code 5 when any rule fails, 0 when clean.
    """
    record, text, evidence, notes = _open(file, report)
    findings = run_checks(record, text, evidence, include_not_checkable=True)
    failed = [f for f in findings if f.status == "fail"]
    shown = findings if show_all else failed
    for note in notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in shown], ensure_ascii=False, indent=2))
    elif shown:
        _print_table(shown, f"{file.name}: findings")
    unchecked = len(findings) - len(failed)
    err_console.print(
        f"{file.name}: {len(failed)} failed, {unchecked} not checkable" + ("" if show_all or not unchecked else " (--all to list)"),
        highlight=False,
    )
    if failed:
        raise typer.Exit(int(ExitCode.FINDINGS))
