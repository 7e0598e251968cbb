"""The results database: whole-report transactions, blanks vs zeros, resume keys, documented queries."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from batch_support import IDS, build_gold_db, gold_extraction
from evalset import ROOT
from extractor.errors import InputError
from extractor.readings import Finding
from extractor.record import flatten
from extractor.storage import DB_NAME, ResultsDB, split_path

SETTINGS = "s" * 64


@pytest.fixture(scope="module")
def gold_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every gold record of the eval set stored as an ok report."""
    return build_gold_db(tmp_path_factory.mktemp("gold") / DB_NAME, SETTINGS)


@pytest.mark.evalset
@pytest.mark.parametrize("report_id", IDS)
def test_cells_keep_every_value_blank_and_zero_apart(gold_db: Path, report_id: str) -> None:
    extraction = gold_extraction(report_id)
    flat = {k: v for k, v in flatten(extraction.record).items() if not k.startswith("meta.")}
    with ResultsDB(gold_db) as db:
        (rid,) = db.conn.execute("SELECT id FROM reports WHERE content_sha256 = ?", (report_id,)).fetchone()
        cells = {r["path"]: r for r in db.conn.execute("SELECT * FROM cells WHERE report_id = ?", (rid,))}
        assert set(cells) == set(flat)
        for path, value in flat.items():
            stored = cells[path]["value"]
            assert stored == value and type(stored) is type(value), path  # None stays NULL, 0 stays integer 0
            assert (cells[path]["tbl"], cells[path]["row_key"], cells[path]["col_key"]) == split_path(path)
        row = db.conn.execute("SELECT * FROM reports WHERE id = ?", (rid,)).fetchone()
        meta = extraction.record.meta
        assert (row["agency"], row["year"], row["layout"], row["kind"]) == (meta.agency, meta.year, meta.layout, meta.kind)
        assert row["status"] == "ok" and row["error"] is None
        n_claims = db.conn.execute("SELECT COUNT(*) FROM claims WHERE report_id = ?", (rid,)).fetchone()[0]
        assert n_claims == len(extraction.record.claims)
        (stored,) = [r for r in db.reports() if r.id == rid]
        assert stored.extraction == extraction  # the JSON reads back to the same extraction


def test_split_path_keeps_row_keys_with_dots() -> None:
    assert split_path("applications.denied.state_secret.total") == ("applications", "denied.state_secret", "total")
    assert split_path("applications.other_handling.no_correction.research") == (
        "applications", "other_handling.no_correction", "research")
    assert split_path("pre2019.proactive_items") == ("pre2019", "proactive_items", "")
    assert split_path("pre2019.applications.received") == ("pre2019", "applications", "received")


def test_database_is_wal(gold_db: Path) -> None:
    with ResultsDB(gold_db) as db:
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_report_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ResultsDB(tmp_path / DB_NAME) as db:
        db.save_settings(SETTINGS, "{}", "test")

        def boom(*_args: object) -> None:
            raise sqlite3.OperationalError("disk full")

        monkeypatch.setattr(db, "_insert_claims", boom)
        with pytest.raises(sqlite3.OperationalError):
            db.save_report(path="a.txt", content_sha256="a", settings_sha256=SETTINGS,
                           extraction=gold_extraction("huaian-hongze-2024"))
        for table in ("reports", "cells", "findings", "claims"):
            assert db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_a_retried_failure_is_replaced_with_everything_hanging_off_it(tmp_path: Path) -> None:
    with ResultsDB(tmp_path / DB_NAME) as db:
        db.save_settings(SETTINGS, "{}", "test")
        db.save_report(path="a.txt", content_sha256="a", settings_sha256=SETTINGS, error="InputError: empty")
        assert db.finished_hashes(SETTINGS) == set()
        db.save_report(path="a.txt", content_sha256="a", settings_sha256=SETTINGS,
                       extraction=gold_extraction("huaian-hongze-2024"))
        db.save_report(path="a.txt", content_sha256="a", settings_sha256=SETTINGS,
                       extraction=gold_extraction("huaian-hongze-2024"))
        assert db.finished_hashes(SETTINGS) == {"a"}
        assert db.conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
        (rid,) = db.conn.execute("SELECT id FROM reports").fetchone()
        # no orphans from the replaced rows
        assert db.conn.execute("SELECT COUNT(*) FROM cells WHERE report_id != ?", (rid,)).fetchone()[0] == 0
        assert db.conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 1
        with pytest.raises(ValueError):
            db.save_report(path="a.txt", content_sha256="a", settings_sha256=SETTINGS)


def test_latest_result_per_input_wins_across_settings(tmp_path: Path) -> None:
    with ResultsDB(tmp_path / DB_NAME) as db:
        for s in ("1" * 64, "2" * 64):
            db.save_settings(s, "{}", "test")
        first = db.save_report(path="a.txt", content_sha256="a", settings_sha256="1" * 64,
                               extraction=gold_extraction("hebei-kjt-2020"))
        second = db.save_report(path="a.txt", content_sha256="a", settings_sha256="2" * 64,
                                extraction=gold_extraction("hebei-kjt-2021"))
        assert [r.id for r in db.reports()] == [second]
        assert [r.id for r in db.reports(latest_only=False)] == [first, second]
        assert db.finished_hashes("1" * 64) == {"a"} and db.finished_hashes("2" * 64) == {"a"}


def test_cross_year_findings_are_swapped_as_a_set(tmp_path: Path) -> None:
    with ResultsDB(tmp_path / DB_NAME) as db:
        db.save_settings(SETTINGS, "{}", "test")
        prev = db.save_report(path="a", content_sha256="a", settings_sha256=SETTINGS, extraction=gold_extraction("huaian-hongze-2023"))
        cur = db.save_report(path="b", content_sha256="b", settings_sha256=SETTINGS, extraction=gold_extraction("huaian-hongze-2024"))
        f = Finding(rule="cross_year", where="结转", stated=3, computed=4)
        assert db.replace_cross_year_findings([(prev, cur, f), (prev, cur, f)]) == 2
        assert db.replace_cross_year_findings([(prev, cur, f)]) == 1
        cross = [x for x in db.findings() if x.scope == "cross_year"]
        assert len(cross) == 1 and cross[0].report_id == cur and cross[0].other_report_id == prev
        assert cross[0].finding == f
        assert len([x for x in db.findings() if x.scope == "report"]) == 2  # the reports' own findings untouched


def test_missing_or_foreign_database_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="extractor extract"):
        ResultsDB.open_existing(tmp_path)
    path = tmp_path / DB_NAME
    ResultsDB(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE schema_info SET value = '99' WHERE key = 'version'")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="schema"):
        ResultsDB.open_existing(tmp_path)
    path.unlink()
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(InputError, match="not a results database"):
        ResultsDB.open_existing(tmp_path)


def _doc_queries() -> list[str]:
    text = (ROOT / "docs" / "database.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, re.S)


def test_documented_queries_run_and_answer(gold_db: Path) -> None:
    queries = _doc_queries()
    assert len(queries) == 2
    received: dict[int, int] = {}
    granted: dict[str, list[int]] = {}
    for report_id in IDS:
        rec = gold_extraction(report_id).record
        year, agency = rec.meta.year, rec.meta.agency
        if rec.applications and "new_received" in rec.applications:
            value = rec.applications["new_received"].total
        else:
            value = rec.pre2019.applications.received if rec.pre2019 else None
        if value is not None:
            received[year] = received.get(year, 0) + value
        if rec.applications:
            sums = granted.setdefault(agency, [0, 0, 0, 0])  # granted, handled, counted granted, counted handled
            for i, row in enumerate(("granted", "total")):
                cell = rec.applications[row].total if row in rec.applications else None
                if cell is not None:
                    sums[i] += cell
                    sums[i + 2] += 1
    with ResultsDB(gold_db) as db:
        per_year = {r["year"]: r["received"] for r in db.query(queries[0])}
        assert {y: v for y, v in per_year.items() if v is not None} == received
        shares = {r["agency"]: r for r in db.query(queries[1])}
    assert set(shares) == set(granted)
    for agency, (g, h, ng, nh) in granted.items():
        row = shares[agency]
        assert row["granted"] == (g if ng else None) and row["handled"] == (h if nh else None)
        if ng and nh and h:
            assert row["granted_share"] == pytest.approx(g / h, abs=0.0005)
        else:
            assert row["granted_share"] is None
