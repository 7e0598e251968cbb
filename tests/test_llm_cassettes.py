"""Replayed HTTP cassettes of the model engine (cassettes/test_llm_cassettes/*.yaml).

The responses in these cassettes are HAND-WRITTEN, not recorded from a model:
they were produced by running these tests with ``--record-mode=rewrite``
against tests/openai_server.py serving the answers written below (every
response carries ``X-Hand-Written``). They pin the exact requests the engine
sends (prompt, schema, re-ask messages) and check how the engine handles
answers. Nothing here measures a model's accuracy. See cassettes/README.md.

CI replays them with ``pytest --record-mode=none --block-network``: a request
that is not in the cassette fails the test instead of reaching the network.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CASSETTES
from llm_answers import ANSWERS, APPLICATIONS_BROKEN, by_title, load_report, section_call
from openai_server import OpenAIServer, Reply

from extractor.errors import ModelError
from extractor.llm import LlmSettings, ModelEngine, read_with_model_run

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-cassette-test-key-must-never-be-recorded"
REPLAY_URL = "http://127.0.0.1:9/v1"  # nothing listens there: only the cassette can answer
HERE = CASSETTES / "test_llm_cassettes"


@contextmanager
def endpoint(request: pytest.FixtureRequest, script, *, live_ok: bool = False) -> Iterator[dict]:
    """Settings pointing at: the cassette (replay), a real endpoint (re-record), or the hand-written server."""
    mode = request.config.getoption("--record-mode") or "none"
    live = os.environ.get("EXTRACTOR_RECORD_BASE_URL")
    if mode == "none":
        yield {"base_url": REPLAY_URL, "model": "hand-written", "api_key": KEY}
    elif live and live_ok:
        yield {"base_url": live, "model": os.environ.get("EXTRACTOR_RECORD_MODEL", "unknown"),
               "api_key": os.environ.get("EXTRACTOR_API_KEY") or KEY}
    else:
        with OpenAIServer(script) as server:
            yield {"base_url": server.url, "model": "hand-written", "api_key": KEY}


def settings(target: dict, tmp_path: Path, **kw) -> LlmSettings:
    return LlmSettings(**{**target, "mode": "tools", "use_cache": False, "cache_dir": tmp_path, "http_retries": 0, **kw})


def run_one(s: LlmSettings, call):
    async def go():
        async with ModelEngine(s) as engine:
            return await engine.run_call(call)

    return asyncio.run(go())


def task_call(report_id: str, task: str):
    """The one request of ``task`` on a fixed slice of an eval report."""
    if report_id == "hebei-gxt-2019":
        return section_call(report_id, task, "二、主动公开政府信息情况", "三、收到和处理", "2019")
    if report_id == "hebei-rst-2017":
        return section_call(report_id, task, "二、依申请公开政府信息情况", "三、")
    starts = {"applications": ("三、收到和处理", "四、因政府"), "review_litigation": ("四、因政府", "五、存在"),
              "active_disclosure": ("二、主动公开", "三、收到和处理")}
    a, b = starts[task]
    return section_call(report_id, task, a, b, "2021")


# ------------------------------------------------------------------ clean extractions
@pytest.mark.vcr
def test_clean_annual_report_every_section_kind(request, tmp_path):
    doc, sections, meta = load_report()
    with endpoint(request, by_title(), live_ok=True) as target:
        reading, run = asyncio.run(read_with_model_run(doc, sections, meta, settings(target, tmp_path)))
    assert run.failures == [] and run.requests == 5 and run.attempts == 5
    rec = reading.record
    assert rec.meta.agency == "河北省工业和信息化厅" and rec.meta.year == 2021
    assert rec.active_disclosure["normative_documents"] == {"issued": 5, "repealed": 2, "in_force": 25}
    assert rec.applications["new_received"].total == 4 and rec.applications["granted"].natural_person == 3
    assert rec.review_litigation["litigation_after_review"].total == 0
    assert reading.evidence["applications.total.total"].span.slice(doc.text) == "(七)总计4000004"


TABLE2_2019 = {
    "rows": [
        {"row": "regulations", "quote": "规章000", "made": 0, "published": 0, "total_public": 0},
        {"row": "normative_documents", "quote": "规范性文件101077", "made": 10, "published": 10, "total_public": 77},
        {"row": "licensing", "quote": "行政许可156-5997", "previous_year": 156, "change": -59, "decisions": 97},
        # 00: two numbers printed for three cells, which cannot be told apart: null
        {"row": "other_services", "quote": "其他对外管理服务事项00", "previous_year": None, "change": None, "decisions": None},
        {"row": "penalties", "quote": "行政处罚1-10", "previous_year": 1, "change": -1, "decisions": 0},
        {"row": "enforcement", "quote": "行政强制00", "previous_year": None, "change": None, "decisions": None},
        {"row": "fees", "quote": "行政事业性收费10", "previous_year": 1, "change": 0},
        # 304948.3955万元 runs projects and amount together: the split cannot be read, so null
        {"row": "procurement", "quote": "政府集中采购304948.3955万元", "projects": None, "amount": None, "amount_unit": "万元"},
    ]
}


@pytest.mark.vcr
def test_clean_table_two_of_layout_2019(request, tmp_path):
    doc, call = task_call("hebei-gxt-2019", "active_disclosure")
    with endpoint(request, [Reply.answer(TABLE2_2019)], live_ok=True) as target:
        result = run_one(settings(target, tmp_path, mode="json_schema"), call)
    assert result.failure is None and result.attempts == 1
    rows = {r.row: r for r in result.answer.rows}
    assert rows["licensing"].change == -59 and rows["procurement"].amount is None
    assert rows["procurement"].amount_unit == "万元"


CLAIMS_RST_2017 = {
    "claims": [
        {
            "quote": "2017年省人社厅受理政府信息依申请公开30件,其中网上申请10件,现场申请5件,信函申请15件",
            "total": {"name": "2017年省人社厅受理政府信息依申请公开", "value": 30, "unit": "件"},
            "parts": [{"name": "网上申请", "value": 10}, {"name": "现场申请", "value": 5}, {"name": "信函申请", "value": "15"}],
            "complete": True,
            "rate": None,
        }
    ]
}


@pytest.mark.vcr
def test_clean_claims_of_a_pre2019_report(request, tmp_path):
    doc, call = task_call("hebei-rst-2017", "claims")
    with endpoint(request, [Reply.answer(CLAIMS_RST_2017)], live_ok=True) as target:
        result = run_one(settings(target, tmp_path, mode="md_json"), call)
    assert result.failure is None
    claim = result.answer.claims[0]
    assert claim.total.value == 30 and [p.value for p in claim.parts] == [10, 5, 15]  # "15" parsed in strict mode


# figures of the same slice, as the spec "figures" defines them (hand-written from the text)
FIGURES_RST_2017 = {
    **CLAIMS_RST_2017,
    "figures": [
        {"name": "政府信息依申请公开", "value": 30, "unit": "件", "approx": False, "quote": "受理政府信息依申请公开30件"},
        {"name": "网上申请", "value": 10, "unit": "件", "approx": False, "quote": "网上申请10件"},
        {"name": "现场申请", "value": 5, "unit": "件", "approx": False, "quote": "现场申请5件"},
        {"name": "信函申请", "value": "15", "unit": "件", "approx": False, "quote": "信函申请15件"},
        {"name": "咨询电话IVR总量", "value": 473, "unit": "万人次", "approx": False, "quote": "12333咨询电话IVR总量473万人次"},
        {"name": "及时解答率", "value": 98, "unit": "%", "approx": True, "quote": "及时解答率超过98%"},
    ],
}


@pytest.mark.vcr
def test_clean_figures_of_a_pre2019_report(request, tmp_path):
    doc, call = task_call("hebei-rst-2017", "claims")
    with endpoint(request, [Reply.answer(FIGURES_RST_2017)], live_ok=True) as target:
        result = run_one(settings(target, tmp_path, mode="json_schema"), call)
    assert result.failure is None
    figures = result.answer.figures
    assert [(f.name, f.value, f.unit) for f in figures][:2] == [("政府信息依申请公开", 30, "件"), ("网上申请", 10, "件")]
    assert figures[3].value == 15 and figures[5].approx is True  # "15" parsed; 超过98% is approximate
    reading_figures = [f for f in figures if f.value == 473]
    assert reading_figures and reading_figures[0].unit == "万人次"


PRE2019_RST_2017 = {
    "items": [
        {"key": "applications.received", "quote": "受理政府信息依申请公开30件", "value": 30},
        {"key": "applications.online", "quote": "网上申请10件", "value": 10},
        {"key": "applications.in_person", "quote": "现场申请5件", "value": 5},
        {"key": "applications.letter", "quote": "信函申请15件", "value": "15"},
    ],
    "printed_inconsistencies": [],
}


@pytest.mark.vcr
def test_clean_statistics_of_a_pre2019_report(request, tmp_path):
    doc, call = task_call("hebei-rst-2017", "pre2019")
    with endpoint(request, [Reply.answer(PRE2019_RST_2017)], live_ok=True) as target:
        result = run_one(settings(target, tmp_path, mode="json"), call)
    assert result.failure is None
    assert {i.key: i.value for i in result.answer.items} == {
        "applications.received": 30, "applications.online": 10, "applications.in_person": 5, "applications.letter": 15,
    }


# ------------------------------------------------------------------ re-asks and failures
@pytest.mark.vcr
def test_identity_break_is_re_asked_and_corrected(request, tmp_path, vcr):
    doc, call = task_call("hebei-gxt-2021", "applications")
    script = [Reply.answer(APPLICATIONS_BROKEN), Reply.answer(ANSWERS["ApplicationsAnswer"])]
    with endpoint(request, script) as target:
        result = run_one(settings(target, tmp_path), call)
    assert result.failure is None and result.attempts == 2 and result.requests == 2
    assert {r.row: r for r in result.answer.rows}["granted"].natural_person == 3
    # the error went back to the model: it is in the second request (bodies are matched, so this is what was sent)
    bodies = [r.body.decode("utf-8") if isinstance(r.body, bytes) else r.body for r in vcr.requests]
    assert len(bodies) == 2 and "granted: the values [0, 3, 0, 0, 0, 0, 3] are not what the quoted row" in json.loads(bodies[1])["messages"][-1]["content"]


@pytest.mark.vcr
def test_invalid_json_is_re_asked(request, tmp_path):
    doc, call = task_call("hebei-gxt-2021", "review_litigation")
    script = [Reply.content('{"groups": [{"group": "review", "quote": "000'), Reply.answer(ANSWERS["ReviewAnswer"])]
    with endpoint(request, script) as target:
        result = run_one(settings(target, tmp_path, mode="json"), call)
    assert result.failure is None and result.attempts == 2
    assert [g.group for g in result.answer.groups] == ["review", "litigation_direct", "litigation_after_review"]


@pytest.mark.vcr
def test_number_not_in_the_source_is_kept_with_its_failure(request, tmp_path):
    doc, call = task_call("hebei-gxt-2021", "active_disclosure")
    wrong = json.loads(json.dumps(ANSWERS["ActiveDisclosure2021Answer"]))
    wrong["rows"][3]["decisions"] = 45  # 行政处罚 is printed 54
    with endpoint(request, [Reply.answer(wrong)] * 3) as target:
        result = run_one(settings(target, tmp_path, max_retries=2), call)
    assert result.attempts == 3
    assert "penalties: the values [45] are not what the quoted row" in result.failure
    assert {r.row: r for r in result.answer.rows}["penalties"].decisions == 45  # kept for review, not dropped


@pytest.mark.vcr
def test_rate_limit_then_success(request, tmp_path):
    doc, call = task_call("hebei-gxt-2021", "review_litigation")
    with endpoint(request, [Reply.rate_limited(retry_after=0.1), Reply.answer(ANSWERS["ReviewAnswer"])]) as target:
        result = run_one(settings(target, tmp_path, http_retries=2), call)
    assert result.failure is None and result.requests == 2 and result.attempts == 1


# ------------------------------------------------------------------ guards
@pytest.mark.vcr("test_clean_annual_report_every_section_kind.yaml", record_mode="none")
@pytest.mark.block_network
def test_an_unrecorded_request_fails_the_run_instead_of_reaching_the_network(tmp_path):
    doc, sections, meta = load_report()
    s = LlmSettings(base_url=REPLAY_URL, model="hand-written", api_key=KEY, prompt_version="v1",  # not recorded
                    use_cache=False, cache_dir=tmp_path, http_retries=0)
    with pytest.raises(ModelError, match="CannotOverwriteExistingCassetteException"):
        asyncio.run(read_with_model_run(doc, sections, meta, s))


def test_cassettes_are_labelled_and_hold_no_credentials():
    files = sorted(HERE.glob("*.yaml"))
    assert len(files) == 9
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert KEY not in text and "authorization" not in text.lower() and "bearer" not in text.lower()
        assert "127.0.0.1" not in text  # recorded against a neutral host name
        if text.startswith("# HAND-WRITTEN responses, NOT recorded from a model"):
            assert text.count("x-hand-written:") == text.count("status:")  # every response is marked hand-written
        else:  # re-recorded from a real endpoint: then nothing in it may claim to be hand-written
            assert "x-hand-written" not in text
