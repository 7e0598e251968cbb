"""The model's misreadings and failures, driven through tests/openai_server.py (hand-written answers).

Each test pins one defect of issue 14: a model's zeros, invented cells and truncated answers must not reach
the record silently, failures are reported by their real cause, the best attempt is kept, a run where every
request failed exits 4, and ``eval`` keeps ``--concurrency`` requests in flight.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from cli_support import run
from llm_answers import APPLICATIONS, APPLICATIONS_BROKEN, by_title, load_report, row
from openai_server import OpenAIServer, Reply, schema_title

from extractor.errors import ModelError
from extractor.llm import LlmSettings, ModelEngine, read_with_model_sync
from extractor.llm.plan import plan_calls
from extractor.loading import load
from extractor.pipeline import ExtractOptions, extract_document

pytestmark = [
    pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"]),  # only the local test server
    pytest.mark.usefixtures("quick_retries"),
]
ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "eval" / "reports" / "hebei-gxt-2021.txt"


def settings_for(server: OpenAIServer, tmp_path: Path, **kw: object) -> LlmSettings:
    values = {"model": "hand-written", "base_url": server.url, "api_key": "k", "mode": "tools",
              "cache_dir": tmp_path / "cache", "http_retries": 0, **kw}
    return LlmSettings(**values)  # type: ignore[arg-type]


def run_call(settings: LlmSettings, task: str):  # noqa: ANN201
    doc, sections, meta = load_report()
    call = next(c for c in plan_calls(doc, sections, meta) if c.task == task)

    async def go():  # noqa: ANN202
        async with ModelEngine(settings) as engine:
            return await engine.run_call(call)

    return asyncio.run(go())


def skeleton(answer: dict) -> dict:
    """The all-zero skeleton of a table answer: every row as printed, every cell 0."""
    rows = [{k: (0 if isinstance(v, (int, float)) else v) for k, v in r.items()} for r in answer["rows"]]
    return {**answer, "rows": rows}


def test_the_empty_skeleton_is_rejected_with_a_finding_and_every_cell_is_the_readers(tmp_path):
    doc = load(REPORT)
    reader_only = extract_document(doc)
    answers = {"ApplicationsAnswer": [Reply.answer(skeleton(APPLICATIONS))] * 3}
    with OpenAIServer(by_title(answers)) as server:
        both = extract_document(doc, ExtractOptions(engine="both", llm=settings_for(server, tmp_path)))
    assert both.record.applications == reader_only.record.applications  # not one model zero got in
    found = [f for f in both.findings if f.rule == "model_answer"]
    assert len(found) == 1 and "empty skeleton" in found[0].message and found[0].where.startswith("applications")
    assert any("empty skeleton" in p for p in both.problems)
    # in the model-only reading the skeleton is not kept either: table 三 is left unread, never all zeros
    with OpenAIServer(by_title(answers)) as server:
        reading, run = read_with_model_sync(*load_report(), settings_for(server, tmp_path, use_cache=False))
    assert reading.record.applications is None and any("empty skeleton" in f for f in run.failures + reading.problems)


def test_a_truncated_answer_is_re_asked_then_reported(tmp_path):
    truncated = {**APPLICATIONS, "rows": APPLICATIONS["rows"][:3] + APPLICATIONS["rows"][-2:]}  # rows left out
    with OpenAIServer([Reply.answer(truncated), Reply.answer(truncated)]) as server:
        result = run_call(settings_for(server, tmp_path, max_retries=1), "applications")
    assert len(server.requests) == 2  # re-asked once
    reask = json.dumps(server.requests[1].messages, ensure_ascii=False)
    assert "rows printed in the section but missing from the answer: partially_granted, denied.state_secret" in reask
    assert result.failure and result.answer is not None  # kept (the rows it has are right)…
    assert result.warnings and "leaves out rows the text prints" in result.warnings[0]  # …and reported
    with OpenAIServer([Reply.answer(truncated), Reply.answer(APPLICATIONS)]) as server:
        fixed = run_call(settings_for(server, tmp_path, max_retries=1, use_cache=False), "applications")
    assert fixed.failure is None and fixed.warnings == []


def test_a_rate_limit_that_outlasts_a_re_ask_is_reported_as_a_rate_limit(tmp_path):
    script = [Reply.answer(APPLICATIONS_BROKEN), Reply.rate_limited(retry_after=0.05)]
    with OpenAIServer(script) as server:
        result = run_call(settings_for(server, tmp_path, max_retries=1), "applications")
    assert result.failure.startswith("rate limited (429)") and "after 1 invalid answer" in result.failure
    assert "invalid JSON" not in result.failure and "validation error" not in result.failure
    assert result.answer is not None and result.answer.rows[2].commercial == 3  # the answer it had is kept, marked


def test_the_best_attempt_is_kept_not_the_last(tmp_path):
    worse = {**APPLICATIONS, "rows": [row(r["row"], r["quote"], *([9] * 7)) for r in APPLICATIONS["rows"]]}
    with OpenAIServer([Reply.answer(APPLICATIONS_BROKEN), Reply.answer(worse)]) as server:
        result = run_call(settings_for(server, tmp_path, max_retries=1), "applications")
    assert result.failure and result.attempts == 2
    kept = {r.row: r for r in result.answer.rows}
    assert kept["granted"].commercial == 3 and kept["new_received"].natural_person == 4  # one broken row, not 26


def test_a_run_where_every_request_failed_exits_4_with_the_reason(tmp_path):
    def refuse(request):  # noqa: ANN001, ANN202
        return Reply.error(400, "this model does not support the request")

    with OpenAIServer(refuse) as server:
        with pytest.raises(ModelError, match=r"every request to the model failed .*\(400\)"):
            read_with_model_sync(*load_report(), settings_for(server, tmp_path))
        model = {"EXTRACTOR_MODEL": "hand-written", "EXTRACTOR_BASE_URL": server.url, "EXTRACTOR_API_KEY": "k"}
        done = run("extract", str(REPORT), "--engine", "llm", "--mode", "tools", "--no-cache", env=model)
    assert done.returncode == 4 and "every request to the model failed" in done.stderr


def test_eval_keeps_concurrency_requests_in_flight(tmp_path):
    from extractor.evaluation.runner import load_eval_set, predict

    def answer(request):  # noqa: ANN001, ANN202
        title = schema_title(request.body)
        return Reply.answer({"claims": [], "figures": []} if title == "ClaimsAnswer" else {}, delay=0.15)

    # Each of these reports alone keeps at most 6 requests in flight (5-6 sections), so 8 at once needs
    # several reports read together: an eval that read them one by one would stop at 6.
    ids = ["hebei-gxt-2019", "hebei-gxt-2020", "hebei-gxt-2021", "hebei-gxt-2023",
           "hebei-kjt-2020", "hebei-kjt-2021", "hebei-kjt-2023", "hebei-jyt-2019"]
    eval_set = load_eval_set(ROOT / "eval", ids)
    with OpenAIServer(answer) as server:
        settings = settings_for(server, tmp_path, concurrency=8, max_retries=0, use_cache=False)
        predictions = predict(eval_set, ExtractOptions(engine="llm", llm=settings))
    assert [p.id for p in predictions] == [e.id for e in eval_set.entries]  # manifest order kept
    assert server.max_in_flight == 8  # reports read at once, together never more than --concurrency


def test_cached_answers_cost_no_tokens_and_eval_reports_them_per_report(tmp_path):
    from extractor.evaluation.runner import ModelUsage, Prediction
    from extractor.readings import Extraction, RunInfo
    from extractor.record import Record

    runs = [RunInfo(engines=["llm"], requests=3, prompt_tokens=300, completion_tokens=30), RunInfo(engines=["reader"])]
    predictions = [Prediction(id=f"r{i}", extraction=Extraction(record=Record(), run=r)) for i, r in enumerate(runs)]
    usage = ModelUsage.of(predictions)
    assert usage is not None and usage.prompt_tokens == 300 and list(usage.per_report) == ["r0"]
    assert json.loads(usage.model_dump_json())["per_report"]["r0"]["completion_tokens"] == 30


def test_a_re_ask_answered_with_fewer_rows_is_reported():
    from llm_answers import section_call

    from extractor.llm.engine import ModelEngine as Engine

    _, call = section_call("hebei-rst-2017", "pre2019", "二、依申请公开政府信息情况", "三、")
    items = [{"key": "applications.received", "quote": "受理政府信息依申请公开30件", "value": 30},
             {"key": "applications.online", "quote": "网上申请10件", "value": 10},
             {"key": "applications.in_person", "quote": "现场申请5件", "value": 5},
             {"key": "applications.letter", "quote": "信函申请15件", "value": 15}]
    invented = {"key": "applications.fax", "quote": "网上申请10件", "value": 7}  # not printed: withdrawing it is a fix
    first = {"items": [*items, invented, {"key": "review.total", "quote": "信函申请15件", "value": 3}]}
    truncated = {"items": items[:1] + items[2:]}  # valid, but applications.online (printed, given before) is gone

    async def go(server):  # noqa: ANN001, ANN202
        async with Engine(LlmSettings(model="m", base_url=server.url, api_key="k", mode="tools", use_cache=False,
                                      http_retries=0, max_retries=1)) as engine:
            return await engine.run_call(call)

    with OpenAIServer([Reply.answer(first), Reply.answer(truncated)]) as server:
        result = asyncio.run(go(server))
    assert result.failure is None and result.attempts == 2
    assert result.warnings == ["the model's kept answer leaves out rows it gave in another attempt: applications.online"]
