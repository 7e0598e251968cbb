"""Exports of a results database: JSONL records, or a wide table (CSV / XLSX) plus findings.

The wide table has one row per report and one column per canonical key
(``record.flatten`` paths) in a fixed order that does not depend on which
reports are in the batch, so exports of different batches line up column for
column. A blank cell stays empty and a 0 stays 0. Rows are streamed from the
database's ``cells`` (a batch need not fit in memory) and every file is
written atomically.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, TextIO, TypeGuard

from extractor.atomic import atomic_path
from extractor.record import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_ROW_KEYS,
    PRE2019_APPLICATIONS,
    PRE2019_CASE_GROUPS,
    REVIEW_GROUPS,
    CaseOutcomes,
    Meta,
    Pre2019Cases,
)
from extractor.storage import ResultsDB

ExportFormat = Literal["jsonl", "csv", "xlsx"]
FORMATS: tuple[str, ...] = ("jsonl", "csv", "xlsx")


def is_format(name: str) -> TypeGuard[ExportFormat]:
    """Whether ``name`` (lower case) is one of the export formats."""
    return name in FORMATS

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


def _report_ids_with_findings(db: ResultsDB) -> dict[int, int]:
    return dict(db.conn.execute("SELECT report_id, COUNT(*) FROM findings GROUP BY report_id"))


def wide_header(db: ResultsDB) -> list[str]:
    """Report columns, every canonical key, then any key outside the canonical set found in the results.

    A key a reader or model invented is kept in an extra column at the end
    rather than dropped.
    """
    keys = canonical_paths()
    known = set(keys)
    extra = [r[0] for r in db.conn.execute("SELECT DISTINCT path FROM cells ORDER BY path") if r[0] not in known]
    return [*REPORT_COLUMNS, *keys, *extra]


def wide_rows(db: ResultsDB, header: Sequence[str]) -> Iterator[list[Any]]:
    """One row per report (latest result per input), straight from ``reports`` and ``cells``; None where blank."""
    counts = _report_ids_with_findings(db)
    value_columns = header[len(REPORT_COLUMNS):]
    for r in db.conn.execute("SELECT * FROM latest_reports ORDER BY id"):
        values: dict[str, Any] = {
            "meta.agency": r["agency"], "meta.year": r["year"], "meta.kind": r["kind"],
            "meta.layout": r["layout"], "meta.published": r["published"],
        }
        values.update(db.conn.execute("SELECT path, value FROM cells WHERE report_id = ?", (r["id"],)).fetchall())
        head = [
            r["id"], r["path"], r["content_sha256"], r["status"], r["error"], r["engine"], r["model"],
            r["prompt_version"], counts.get(r["id"], 0),
        ]
        yield [*head, *(values.get(k) for k in value_columns)]


def finding_rows(db: ResultsDB) -> Iterator[list[Any]]:
    """Every finding of the latest results, with its report (and for cross-year, the other report) named."""
    sql = """
        SELECT f.*, r.path, r.agency, r.year, o.path AS other_path
        FROM findings AS f
        JOIN latest_reports AS r ON r.id = f.report_id
        LEFT JOIN reports AS o ON o.id = f.other_report_id
        ORDER BY f.report_id, f.id"""
    for f in db.conn.execute(sql):
        yield [
            f["report_id"], f["path"], f["agency"], f["year"], f["scope"], f["other_report_id"], f["other_path"],
            f["rule"], f["location"], ";".join(json.loads(f["paths"])), f["stated"], f["computed"],
            f["severity"], f["status"], f["message"],
        ]


def jsonl_lines(db: ResultsDB) -> Iterator[str]:
    """One line per extracted report: its JSON exactly as ``extractor extract`` prints it.

    Cross-year findings (rule ``cross_year``) about a report are added to its
    ``findings``, so every line still reads back with ``Extraction.from_json_dict``;
    ``run.input_path`` / ``run.input_sha256`` name the file.
    """
    cross: dict[int, list[dict[str, Any]]] = {}
    for sf in db.findings():
        if sf.scope == "cross_year":
            cross.setdefault(sf.report_id, []).append(sf.finding.model_dump(mode="json"))
    for r in db.conn.execute("SELECT id, record_json FROM latest_reports WHERE record_json IS NOT NULL ORDER BY id"):
        if r["id"] not in cross:
            yield r["record_json"]
            continue
        data = json.loads(r["record_json"])
        data["findings"] = [*data.get("findings", []), *cross[r["id"]]]
        yield json.dumps(data, ensure_ascii=False)


def findings_path_for(output: Path) -> Path:
    """Where the findings CSV goes beside a wide CSV: ``reports.csv`` -> ``reports-findings.csv``."""
    return output.with_name(f"{output.stem}-findings{output.suffix}")


# A text cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets
# (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM``); tab and CR start one too after a paste (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell as spreadsheet tools should see it: blank for None, text that could start a formula
    prefixed with an apostrophe (shown as text, never run); numbers stay numbers (-5 stays -5)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """A write-only cell; text is kept as text (never a formula) and stripped of characters XLSX forbids."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # a path or message starting with '=' must not become a formula
        return cell
    return value


def write_xlsx(output: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    """Sheets streamed row by row (openpyxl write-only mode), saved atomically."""
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


def _write_text(output: Path | None, write: Callable[[TextIO], None]) -> None:
    """To ``output`` atomically, or to stdout when ``output`` is None."""
    if output is None:
        write(sys.stdout)
        return
    with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        write(fh)


def export(db: ResultsDB, fmt: ExportFormat, output: Path | None) -> list[Path]:
    """Write the export; returns the files written (none when JSONL/CSV went to stdout, ``output`` "-").

    Default file: ``reports.<fmt>`` beside the database. A CSV gets its
    findings in ``<name>-findings.csv``; an XLSX in a second sheet.
    """
    to_stdout = output is not None and str(output) == "-"
    target = None if to_stdout else (output or db.path.parent / f"reports.{fmt}")
    if fmt == "jsonl":
        _write_text(target, lambda fh: fh.writelines(line + "\n" for line in jsonl_lines(db)))
        return [target] if target else []
    header = wide_header(db)
    if fmt == "csv":
        _write_text(target, lambda fh: write_csv(fh, header, wide_rows(db, header)))
        if target is None:
            return []
        side = findings_path_for(target)
        _write_text(side, lambda fh: write_csv(fh, FINDING_COLUMNS, finding_rows(db)))
        return [target, side]
    if target is None:
        raise ValueError("xlsx cannot be written to stdout")
    write_xlsx(target, [("reports", header, wide_rows(db, header)), ("findings", FINDING_COLUMNS, finding_rows(db))])
    return [target]
