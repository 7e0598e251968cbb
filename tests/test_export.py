"""Exports: JSONL round-trips, the wide CSV/XLSX keeps blank and zero apart, findings beside them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import batch_support as bs
from extractor.cli.app import app
from extractor.errors import ExitCode, ExtractorError, InputError
from extractor.export import REPORT_COLUMNS, canonical_paths, export, findings_path_for
from extractor.readings import Extraction, Finding
from extractor.record import flatten
from extractor.storage import DB_NAME, ResultsDB

import extractor.cli.commands  # noqa: F401  (registers every command)


@pytest.fixture()
def out_dir(tmp_path: Path) -> Path:
    """Gold records of the eval set, one failed report, one cross-year finding."""
    db_path = bs.build_gold_db(tmp_path / DB_NAME)
    with ResultsDB(db_path) as db:
        db.save_report(path="=cmd|' /C calc'!A0.txt", content_sha256="bad", settings_sha256="s" * 64,
                       error="InputError: empty file")
        ids = {r.content_sha256: r.id for r in db.reports()}
        db.replace_cross_year_findings([(ids["huaian-hongze-2023"], ids["huaian-hongze-2024"],
                                         Finding(rule="cross_year", where="结转", stated=0, computed=1))])
    return tmp_path


def test_canonical_paths_are_unique() -> None:
    paths = canonical_paths()
    assert len(paths) == len(set(paths))


@pytest.mark.evalset
@pytest.mark.parametrize("report_id", bs.IDS)
def test_canonical_paths_cover_every_gold_key(report_id: str) -> None:
    assert set(flatten(bs.gold_record(report_id))) <= set(canonical_paths())


def test_wide_csv_keeps_blank_and_zero_apart(out_dir: Path) -> None:
    with ResultsDB(out_dir / DB_NAME) as db:
        written = export(db, "csv", None)
    assert written == [out_dir / "reports.csv", out_dir / "reports-findings.csv"]
    with open(written[0], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [*REPORT_COLUMNS, *canonical_paths()]
    by_sha = {r["content_sha256"]: r for r in rows}
    assert set(by_sha) == {*bs.IDS, "bad"}
    zeros = blanks = 0
    for report_id in bs.IDS:
        row = by_sha[report_id]
        assert row["status"] == "ok" and row["findings"] == ("2" if report_id == "huaian-hongze-2024" else "1")
        flat = flatten(bs.gold_record(report_id))
        for key in canonical_paths():
            value = flat.get(key)
            assert row[key] == ("" if value is None else str(value)), (report_id, key)
            zeros += value == 0 and value is not None
            blanks += key in flat and value is None
    assert zeros and blanks  # the eval set has both, and both survived
    assert by_sha["bad"]["status"] == "failed" and by_sha["bad"]["error"] == "InputError: empty file"
    with open(written[1], encoding="utf-8", newline="") as fh:
        findings = list(csv.DictReader(fh))
    assert len(findings) == len(bs.IDS) + 1
    (cross,) = [f for f in findings if f["scope"] == "cross_year"]
    assert cross["path"] == "huaian-hongze-2024.txt" and cross["other_path"] == "huaian-hongze-2023.txt"
    assert (cross["stated"], cross["computed"]) == ("0", "1")


def test_xlsx_has_reports_and_findings_sheets(out_dir: Path) -> None:
    from openpyxl import load_workbook

    with ResultsDB(out_dir / DB_NAME) as db:
        (path,) = export(db, "xlsx", out_dir / "all.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["reports", "findings"]
    ws = wb["reports"]
    header = [c.value for c in ws[1]]
    assert header == [*REPORT_COLUMNS, *canonical_paths()]
    col = {name: i for i, name in enumerate(header)}
    rows = {r[col["content_sha256"]]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    for report_id in bs.IDS:
        flat = flatten(bs.gold_record(report_id))
        for key, value in flat.items():
            cell = rows[report_id][col[key]]
            assert cell == value and type(cell) is type(value), (report_id, key)  # None empty, 0 the number 0
    assert rows["bad"][col["path"]] == "=cmd|' /C calc'!A0.txt"  # text, never a formula
    assert wb["findings"].max_row == len(bs.IDS) + 2


def test_jsonl_lines_read_back_as_extractions(out_dir: Path) -> None:
    with ResultsDB(out_dir / DB_NAME) as db:
        (path,) = export(db, "jsonl", out_dir / "records.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(bs.IDS)  # the failed report has no record
    for line, report_id in zip(lines, bs.IDS):
        extraction = Extraction.from_json_dict(json.loads(line))
        expected = bs.gold_extraction(report_id)
        if report_id == "huaian-hongze-2024":
            assert extraction.findings[-1].rule == "cross_year"
            extraction.findings = extraction.findings[:-1]
        assert extraction == expected


def test_findings_file_name() -> None:
    assert findings_path_for(Path("x/out.csv")) == Path("x/out-findings.csv")


def test_cli_export_infers_format_and_writes_stdout(out_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(out_dir), "--output", str(out_dir / "wide.csv")])
    assert result.exit_code == 0, result.output
    assert (out_dir / "wide.csv").exists() and (out_dir / "wide-findings.csv").exists()
    result = runner.invoke(app, ["export", str(out_dir / DB_NAME), "--format", "jsonl", "--output", "-"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == len(bs.IDS)


def test_cli_export_user_errors(out_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(out_dir), "--format", "parquet"])
    assert isinstance(result.exception, ExtractorError) and result.exception.exit_code == ExitCode.USAGE
    result = runner.invoke(app, ["export", str(out_dir), "--format", "xlsx", "--output", "-"])
    assert isinstance(result.exception, ExtractorError) and result.exception.exit_code == ExitCode.USAGE
    result = runner.invoke(app, ["export", str(tmp_path_factory.mktemp("empty"))])
    assert isinstance(result.exception, InputError)


def test_csv_cells_that_would_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    """Agency, error and finding text from a hostile report must not run in Excel/LibreOffice (XLSX is typed)."""
    from extractor.export import csv_cell

    db_path = tmp_path / DB_NAME
    with ResultsDB(db_path) as db:
        db.save_settings("s" * 64, "{}", "test")
        extraction = bs.gold_extraction("huaian-hongze-2023")
        meta = extraction.record.meta.model_copy(update={"agency": '=HYPERLINK("http://evil","x")'})
        extraction = extraction.model_copy(update={"record": extraction.record.model_copy(update={"meta": meta})})
        extraction.findings[0] = extraction.findings[0].model_copy(update={"message": "@SUM(1+1)*cmd|' /C calc'!A0"})
        db.save_report(path="+evil.txt", content_sha256="a", settings_sha256="s" * 64, extraction=extraction)
        db.save_report(path="bad.txt", content_sha256="b", settings_sha256="s" * 64, error="-2+3 \tbroke")
        written = export(db, "csv", tmp_path / "out.csv")
    cells = [cell for path in written for row in csv.reader(path.open(encoding="utf-8")) for cell in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'+evil.txt" in cells and "'-2+3 \tbroke" in cells
    assert any(c.startswith("'@SUM") for c in cells)
    assert csv_cell(-5) == -5 and csv_cell(None) == "" and csv_cell("normal") == "normal"
