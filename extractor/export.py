"""Exports of a results database: JSONL records, or a wide table (CSV / XLSX) plus findings.

The wide table has one row per report and one column per canonical key
(``record.flatten`` paths) in a fixed order that does not depend on which
reports are in the batch, so exports of different batches line up column for
column. A blank cell stays empty and a 0 stays 0. All files are written
atomically.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from extractor.atomic import atomic_path, atomic_write_text
from extractor.record import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_ROW_KEYS,
    PRE2019_APPLICATIONS,
    PRE2019_CASE_GROUPS,
    REVIEW_GROUPS,
    Meta,
    Pre2019Cases,
    CaseOutcomes,
    flatten,
)
from extractor.storage import ResultsDB, StoredFinding, StoredReport

ExportFormat = Literal["jsonl", "csv", "xlsx"]
FORMATS: tuple[str, ...] = ("jsonl", "csv", "xlsx")

REPORT_COLUMNS: tuple[str, ...] = (
    "report_id", "path", "content_sha256", "status", "error", "engine", "model", "prompt_version", "findings",
)
FINDING_COLUMNS: tuple[str, ...] = (
    "report_id", "path", "agency", "year", "scope", "other_report_id", "other_path", "rule", "where", "paths",
    "stated", "computed", "severity", "status", "message",
)


def canonical_paths() -> list[str]:
    """Every canonical key of every layout, in table order (the wide table's value columns)."""
    paths = [f"meta.{k}" for k in Meta.model_fields]
    for group in ACTIVE_DISCLOSURE_ROWS:
        cols = dict.fromkeys([*ACTIVE_DISCLOSURE_2019.get(group, {}), *ACTIVE_DISCLOSURE_2021.get(group, {})])
        paths += [f"active_disclosure.{group}.{c}" for c in cols]
    paths += [f"applications.{r}.{c}" for r in APPLICATION_ROW_KEYS for c in APPLICANT_COLUMNS]
    paths += [f"review_litigation.{g}.{o}" for g in REVIEW_GROUPS for o in CaseOutcomes.model_fields]
    paths += ["pre2019.proactive_items", "pre2019.fees_10k_yuan"]
    paths += [f"pre2019.applications.{k}" for k in PRE2019_APPLICATIONS]
    paths += [f"pre2019.{g}.{o}" for g in PRE2019_CASE_GROUPS for o in Pre2019Cases.model_fields]
    return paths


def wide_table(reports: Sequence[StoredReport], findings: Sequence[StoredFinding] = ()) -> tuple[list[str], list[list[Any]]]:
    """(header, rows): one row per report, report columns then canonical keys; None where blank.

    A key outside the canonical set (a reader or model inventing one) is kept
    in an extra column at the end rather than dropped.
    """
    counts: dict[int, int] = {}
    for f in findings:
        counts[f.report_id] = counts.get(f.report_id, 0) + 1
    keys = canonical_paths()
    known = set(keys)
    flats = [flatten(r.extraction.record) if r.extraction else {} for r in reports]
    extra = list(dict.fromkeys(k for flat in flats for k in flat if k not in known))
    header = [*REPORT_COLUMNS, *keys, *extra]
    rows = []
    for report, flat in zip(reports, flats):
        head = [
            report.id, report.path, report.content_sha256, report.status, report.error, report.engine,
            report.model, report.prompt_version, counts.get(report.id, 0),
        ]
        if report.extraction is None:  # a failed report still shows what little is known
            flat = {"meta.agency": report.agency, "meta.year": report.year}
        rows.append([*head, *(flat.get(k) for k in keys), *(flat.get(k) for k in extra)])
    return header, rows


def finding_table(reports: Sequence[StoredReport], findings: Sequence[StoredFinding]) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of every finding, with the report (and for cross-year, the other report) named."""
    by_id = {r.id: r for r in reports}
    rows = []
    for sf in findings:
        report = by_id.get(sf.report_id)
        if report is None:
            continue  # a finding of a superseded result (the report was re-extracted under other settings)
        other = by_id.get(sf.other_report_id) if sf.other_report_id is not None else None
        f = sf.finding
        rows.append([
            sf.report_id, report.path, report.agency, report.year, sf.scope, sf.other_report_id,
            other.path if other else None, f.rule, f.where, ";".join(f.paths), f.stated, f.computed,
            f.severity, f.status, f.message,
        ])
    return list(FINDING_COLUMNS), rows


def jsonl_lines(reports: Sequence[StoredReport], findings: Sequence[StoredFinding]) -> Iterable[str]:
    """One line per successfully extracted report: its JSON exactly as ``extractor extract`` prints it.

    Cross-year findings (rule ``cross_year``) about a report are added to its
    ``findings``, so every line still reads back with ``Extraction.from_json_dict``;
    ``run.input_path`` / ``run.input_sha256`` name the file.
    """
    cross: dict[int, list[dict[str, Any]]] = {}
    for sf in findings:
        if sf.scope == "cross_year":
            cross.setdefault(sf.report_id, []).append(sf.finding.model_dump(mode="json"))
    for r in reports:
        if r.extraction is None:
            continue
        data = r.extraction.to_json_dict()
        data["findings"] = [*data["findings"], *cross.get(r.id, [])]
        yield json.dumps(data, ensure_ascii=False)


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def findings_path_for(output: Path) -> Path:
    """Where the findings CSV goes beside a wide CSV: ``reports.csv`` -> ``reports-findings.csv``."""
    return output.with_name(f"{output.stem}-findings{output.suffix}")


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """A write-only cell; text is kept as text (never a formula) and stripped of characters XLSX forbids."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # a path or message starting with '=' must not become a formula
        return cell
    return value


def write_xlsx(output: Path, sheets: Sequence[tuple[str, list[str], list[list[Any]]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        head = []
        for name in header:
            cell = _xlsx_cell(ws, name)
            cell.font = Font(bold=True)
            head.append(cell)
        ws.append(head)
        for row in rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
    with atomic_path(output) as tmp:
        wb.save(tmp)


def export(db: ResultsDB, fmt: ExportFormat, output: Path | None) -> list[Path]:
    """Write the export; returns the files written (empty when JSONL/CSV went to stdout, ``output`` "-")."""
    reports = db.reports(latest_only=True)
    findings = db.findings()
    to_stdout = output is not None and str(output) == "-"
    if output is None:
        output = db.path.parent / f"reports.{fmt}"
    if fmt == "jsonl":
        text = "".join(line + "\n" for line in jsonl_lines(reports, findings))
        if to_stdout:
            import sys

            sys.stdout.write(text)
            return []
        atomic_write_text(output, text)
        return [output]
    header, rows = wide_table(reports, findings)
    f_header, f_rows = finding_table(reports, findings)
    if fmt == "csv":
        if to_stdout:
            import sys

            sys.stdout.write(_csv_text(header, rows))
            return []
        atomic_write_text(output, _csv_text(header, rows))
        side = findings_path_for(output)
        atomic_write_text(side, _csv_text(f_header, f_rows))
        return [output, side]
    if to_stdout:
        raise ValueError("xlsx cannot be written to stdout")
    write_xlsx(output, [("reports", header, rows), ("findings", f_header, f_rows)])
    return [output]
