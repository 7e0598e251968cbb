"""A model-engine batch against tests/openai_server.py with the faults a real endpoint shows.

Timeouts, 429 with Retry-After, 500/503, a malformed body, finish_reason=length
and a dropped connection, mid-batch: the batch completes, every report is
recorded exactly once, and what the model could not read is recorded per
section (status ``partial``, retried by a rerun). A refused key stops the batch
with the finished reports kept.

Everything is the real thing: the pipeline with ``engine="llm"``, the batch
worker and its threads, the database and the engine; only the endpoint is the
suite's own local server.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from llm_answers import ANSWERS, by_title
from openai_server import ChatRequest, OpenAIServer, Reply, schema_title

import batch_support as bs
from extractor.batch import run_batch
from extractor.llm import LlmSettings
from extractor.pipeline import ExtractOptions
from extractor.storage import DB_NAME, ResultsDB

pytestmark = [
    pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"]),  # only the local test server
    pytest.mark.usefixtures("quick_retries"),
]

SECRET = "sk-test-batch-faults-never-written"
CALLS_PER_REPORT = 5  # meta, table 二, table 三, table 四, claims for hebei-gxt-2021


class FaultPlan:
    """Answers by schema title; the n-th request of a title gets the planned fault instead."""

    def __init__(self, faults: dict[tuple[str, int], Reply]) -> None:
        self.faults = faults
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.clean = by_title()

    def __call__(self, request: ChatRequest) -> Reply:
        title = schema_title(request.body) or ""
        with self.lock:
            n = self.seen[title]
            self.seen[title] += 1
        return self.faults.get((title, n)) or self.clean(request)


def _options(server: OpenAIServer, tmp_path: Path, **kw: object) -> ExtractOptions:
    values = {"model": "hand-written", "base_url": server.url, "api_key": SECRET, "mode": "tools",
              "cache_dir": tmp_path / "cache", "use_cache": False, "http_retries": 2, "max_retries": 1, **kw}
    return ExtractOptions(engine="llm", llm=LlmSettings(**values))


def _reports(out: Path) -> list[tuple[str, str, str | None]]:
    with ResultsDB(out / DB_NAME) as db:
        return sorted((Path(r.path).name, r.status, r.error) for r in db.reports(latest_only=False))


def test_transient_faults_mid_batch_are_retried_and_every_report_recorded_once(tmp_path: Path) -> None:
    files = bs.copy_eval(tmp_path / "in", ["hebei-gxt-2021"], copies=6)
    faults = {
        ("MetaAnswer", 1): Reply.rate_limited(retry_after=0.2),
        ("ClaimsAnswer", 2): Reply.error(500, "overloaded"),
        ("ApplicationsAnswer", 3): Reply.drop(),
        ("ReviewAnswer", 2): Reply.malformed(),
        ("ActiveDisclosure2021Answer", 4): Reply.error(503, "busy"),
    }
    with OpenAIServer(FaultPlan(faults)) as server:
        summary = run_batch([tmp_path / "in"], tmp_path / "out", _options(server, tmp_path), jobs=3)
    assert summary.ok and not summary.partial and summary.extracted == len(files)
    rows = _reports(tmp_path / "out")
    assert [r[0] for r in rows] == sorted(f.name for f in files)  # each report once
    assert all(status == "ok" for _, status, _ in rows)
    assert len(server.requests) == len(files) * CALLS_PER_REPORT + len(faults)  # one extra request per fault
    assert summary.requests == len(server.requests) and server.unexpected == 0
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        for report in db.reports():
            assert report.extraction and report.extraction.record.applications is not None
            assert report.extraction.record.applications["new_received"].total == ANSWERS["ApplicationsAnswer"]["rows"][0]["total"]
    for written in (tmp_path / "out").iterdir():  # the database (and any WAL) never holds the key
        assert SECRET.encode() not in written.read_bytes()


def test_section_failures_are_recorded_and_a_rerun_retries_them(tmp_path: Path) -> None:
    files = bs.copy_eval(tmp_path / "in", ["hebei-gxt-2021"], copies=3)
    faults = {
        ("ApplicationsAnswer", 0): Reply.hang(5),
        ("ApplicationsAnswer", 1): Reply.hang(5),
        ("ApplicationsAnswer", 2): Reply.hang(5),  # three attempts of the first report's 表三: a timeout
        ("ReviewAnswer", 0): Reply.truncated(ANSWERS["ReviewAnswer"]),  # finish_reason=length
    }
    with OpenAIServer(FaultPlan(faults)) as server:
        options = _options(server, tmp_path, timeout=0.3)
        summary = run_batch([tmp_path / "in"], tmp_path / "out", options, jobs=1)
        assert summary.ok and summary.extracted == len(files)
        (partial,) = summary.partial
        assert partial.path == str(sorted(files)[0])
        rows = _reports(tmp_path / "out")
        assert [status for _, status, _ in rows] == ["partial", "ok", "ok"]
        error = rows[0][2] or ""
        assert "applications: timed out" in error and "review_litigation:" in error and "cut off" in error
        with ResultsDB(tmp_path / "out" / DB_NAME) as db:
            stored = db.reports(status="partial")[0].extraction
        assert stored and stored.record.applications is None and stored.record.review_litigation is None
        assert stored.record.meta.agency and stored.run.failures  # the rest of the report is kept

        again = run_batch([tmp_path / "in"], tmp_path / "out", options, jobs=1)
    assert again.processed == 1 and again.skipped == 2 and not again.partial
    assert [status for _, status, _ in _reports(tmp_path / "out")] == ["ok", "ok", "ok"]


def test_a_refused_key_stops_the_batch_and_keeps_what_finished(tmp_path: Path) -> None:
    bs.copy_eval(tmp_path / "in", ["hebei-gxt-2021"], copies=4)
    clean = by_title()
    count = Counter[str]()

    def handler(request: ChatRequest) -> Reply:
        count["n"] += 1
        if count["n"] > CALLS_PER_REPORT:  # the key is revoked after the first report
            return Reply.error(401, f"Incorrect API key provided: {SECRET}")
        return clean(request)

    with OpenAIServer(handler) as server:
        summary = run_batch([tmp_path / "in"], tmp_path / "out", _options(server, tmp_path), jobs=1)
    assert summary.stopped and "401" in summary.stopped and SECRET not in summary.stopped
    assert not summary.failures
    rows = _reports(tmp_path / "out")
    assert len(rows) == 1 and rows[0][1] == "ok"
