"""A real batch (CLI subprocess, real pipeline) killed with SIGKILL mid-way and rerun.

The resumed database must equal that of an uninterrupted run — same reports,
same cells, findings and claims, no duplicates — and the reports finished
before the kill must not be redone (same row ids and commit timestamps; the
second run processes only the rest).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import batch_support as bs
import evalset
from extractor.batch import run_batch
from extractor.errors import ExitCode
from extractor.pipeline import ExtractOptions
from extractor.storage import DB_NAME

# A fixed sample of the eval set's reports (every layout, text and HTML; no PDFs, which cost ten times as much
# to load), so the test's cost does not grow with the eval set. 4 copies each: enough work that the kill
# lands mid-batch.
SAMPLE = [
    "huaian-hongze-2023", "shanghai-stcsm-2024", "pingtan-county-2011", "pingtan-zone-2019", "hebei-kjt-2015",
    "hebei-gxt-2021", "shanghai-govoffice-2019", "pingtan-zone-2012-html",
]
COPIES = 4


def _cli(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "extractor", *args], cwd=evalset.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, **kwargs,  # type: ignore[arg-type]
    )


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # the schema is being created right now
        return 0


def _content(db: Path) -> dict[str, Counter]:
    """Everything a batch produced, keyed by content hash (row ids and timings differ between runs)."""
    con = sqlite3.connect(db)
    try:
        sha = dict(con.execute("SELECT id, content_sha256 FROM reports"))
        out: dict[str, Counter] = {
            "reports": Counter(con.execute(
                "SELECT content_sha256, settings_sha256, path, agency, year, layout, kind, engine, status, error, "
                "record_json FROM reports")),
            "cells": Counter((sha[r[0]], *r[1:]) for r in con.execute(
                "SELECT report_id, tbl, row_key, col_key, path, value, engine, source, evidence_start, evidence_end, "
                "note FROM cells")),
            "findings": Counter((sha[r[0]], sha.get(r[1]), *r[2:]) for r in con.execute(
                "SELECT report_id, other_report_id, scope, rule, location, paths, stated, computed, severity, status, "
                "message, evidence FROM findings")),
            "claims": Counter((sha[r[0]], *r[1:]) for r in con.execute("SELECT * FROM claims")),
        }
        return out
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_mid_batch_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    inputs = tmp_path / "reports"
    files = bs.copy_eval(inputs, SAMPLE, copies=COPIES)

    out = tmp_path / "out"
    db = out / DB_NAME
    proc = _cli("extract", str(inputs), "--out", str(out), "--jobs", "2")
    deadline = time.monotonic() + 120
    while _count(db) < len(files) // 3:
        assert proc.poll() is None, "the batch finished before it could be killed: make it bigger"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # the batch process, mid-flight; its workers notice and exit
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    try:
        assert bs.group_gone(proc.pid, within=10), "worker processes outlived the killed batch"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    con = sqlite3.connect(db)
    before = {r[0]: (r[1], r[2]) for r in con.execute("SELECT content_sha256, id, created FROM reports")}
    con.close()
    assert 0 < len(before) < len(files)

    resumed = _cli("extract", str(inputs), "--out", str(out), "--jobs", "2")
    _, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err.decode()

    con = sqlite3.connect(db)
    after = {r[0]: (r[1], r[2]) for r in con.execute("SELECT content_sha256, id, created FROM reports")}
    batches = con.execute("SELECT processed, skipped, finished FROM batches ORDER BY id").fetchall()
    con.close()
    assert {k: after[k] for k in before} == before  # finished reports untouched: not redone
    assert len(batches) == 2 and batches[0][2] is None and batches[1][2] is not None  # first run never finished
    assert batches[1][0] == len(files) - len(before) and batches[1][1] == len(before)
    reference = run_batch([inputs], tmp_path / "reference", ExtractOptions(), jobs=2)
    assert reference.processed == len(files)
    assert _content(db) == _content(tmp_path / "reference" / DB_NAME)
    assert len(after) == len(files)


def test_a_bad_file_fails_alone_and_the_batch_exits_6(tmp_path: Path) -> None:
    inputs = tmp_path / "reports"
    good = bs.copy_eval(inputs, ["huaian-hongze-2023", "hebei-kjt-2021", "pingtan-zone-2022"])
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (inputs / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out = tmp_path / "out"
    proc = _cli("extract", str(inputs), "--out", str(out))
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == ExitCode.PARTIAL, stderr.decode()
    text = stderr.decode()
    for name in ("empty.txt", "broken.pdf", "picture.txt"):
        assert name in text
    con = sqlite3.connect(out / DB_NAME)
    rows = {Path(p).name: (s, e) for p, s, e in con.execute("SELECT path, status, error FROM reports")}
    con.close()
    assert {n for n, (s, _) in rows.items() if s == "ok"} == {f.name for f in good}
    failed = {n: e for n, (s, e) in rows.items() if s == "failed"}
    assert set(failed) == {"empty.txt", "broken.pdf", "picture.txt"}
    assert all(e and "\n" not in e for e in failed.values())  # one line each, a reason


def test_ctrl_c_keeps_finished_reports_and_leaves_no_workers(tmp_path: Path) -> None:
    inputs = tmp_path / "reports"
    files = bs.copy_eval(inputs, SAMPLE, copies=COPIES)
    out = tmp_path / "out"
    proc = _cli("extract", str(inputs), "--out", str(out), "--jobs", "2")
    deadline = time.monotonic() + 120
    while _count(out / DB_NAME) < 5:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "run the same command again to resume" in " ".join(err.decode().split())
    kept = _count(out / DB_NAME)
    assert 5 <= kept < len(files)
    assert bs.group_gone(proc.pid, within=5), "worker processes outlived the batch"
    con = sqlite3.connect(out / DB_NAME)
    assert con.execute("SELECT finished FROM batches").fetchall() == [(None,)]
    con.close()
