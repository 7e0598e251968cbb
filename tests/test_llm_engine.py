"""The model engine end to end against tests/openai_server.py (hand-written answers, no model).

Nothing here measures a model: the answers are scripted. These tests check
the plumbing: one request per section, answers mapped with evidence, the
cache, re-asks, bounded concurrency, and every fault an endpoint can show.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path

import pytest
from llm_answers import ANSWERS, APPLICATIONS_BROKEN, by_title, load_report
from openai_server import OpenAIServer, Reply, schema_title

from extractor.errors import ExitCode, ModelError
from extractor.llm import LlmSettings, ModelEngine, read_with_model_run, read_with_model_sync
from extractor.llm.cache import AnswerCache
from extractor.llm.plan import CHUNK_CHARS, plan_calls
from extractor.record import Meta
from extractor.sections import split_sections

pytestmark = [
    pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"]),  # only the local test server
    pytest.mark.usefixtures("quick_retries"),
]

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-test-0123456789-never-written-anywhere"


@pytest.fixture(scope="module")
def report():
    return load_report()


def settings_for(server: OpenAIServer, tmp_path, **kw) -> LlmSettings:
    values = {"model": "hand-written", "base_url": server.url, "api_key": SECRET, "mode": "tools",
              "cache_dir": tmp_path / "cache", "http_retries": 0, **kw}
    return LlmSettings(**values)


def one_call(report, task: str):
    doc, sections, meta = report
    return next(c for c in plan_calls(doc, sections, meta) if c.task == task)


def run_call(settings: LlmSettings, call):
    async def go():
        async with ModelEngine(settings) as engine:
            return await engine.run_call(call)

    return asyncio.run(go())


# ------------------------------------------------------------------ whole report
def test_one_request_per_section_mapped_into_a_reading_with_evidence(report, tmp_path):
    doc, sections, meta = report
    with OpenAIServer(by_title()) as server:
        reading, run = read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path))
    titles = sorted(schema_title(r.body) for r in server.requests)
    assert titles == sorted(ANSWERS)  # meta, 二, 三, 四 and the one prose chunk with numbers: never the whole report
    assert all(len(r.text) < len(doc.text) + 3000 for r in server.requests)
    rec = reading.record
    assert reading.engine == "llm" and reading.problems == [] and run.failures == []
    assert rec.meta.agency == "河北省工业和信息化厅" and rec.meta.year == 2021 and rec.meta.layout == "2021"
    assert rec.applications["granted"].natural_person == 3
    assert rec.applications["carried_forward"].total == 0
    assert rec.active_disclosure["fees"] == {"amount_10k_yuan": 739.0766}
    assert rec.review_litigation["review"].total == 0
    assert rec.sections == [s.heading for s in sections]
    ev = reading.evidence["active_disclosure.normative_documents.in_force"]
    assert ev.engine == "llm" and ev.value == 25 and ev.span.slice(doc.text) == "行政规范性文件5225"
    assert reading.evidence["applications.granted.total"].span.slice(doc.text) == "(一)予以公开3000003"
    assert run.engines == ["llm"] and run.prompt_version == "v3" and run.model == "hand-written"
    assert run.requests == run.attempts == len(server.requests) == 5
    assert run.cache_hits == 0 and run.prompt_tokens == 5 * 120 and run.completion_tokens == 5 * 30


def test_second_run_of_the_same_input_makes_no_request(report, tmp_path):
    doc, sections, meta = report
    with OpenAIServer(by_title()) as server:
        settings = settings_for(server, tmp_path)
        first, _ = read_with_model_sync(doc, sections, meta, settings)
        asked = len(server.requests)
        second, run = read_with_model_sync(doc, sections, meta, settings)
        assert len(server.requests) == asked
        assert run.requests == 0 and run.cache_hits == asked and run.prompt_tokens == 0
        assert second.record == first.record and second.evidence == first.evidence
        # --refresh asks again (and stores); --no-cache asks and neither reads nor stores
        read_with_model_sync(doc, sections, meta, settings.model_copy(update={"refresh": True}))
        assert len(server.requests) == 2 * asked
        other = tmp_path / "nocache"
        read_with_model_sync(doc, sections, meta, settings.model_copy(update={"use_cache": False, "cache_dir": other}))
        assert len(server.requests) == 3 * asked and not other.exists()


def test_prompt_version_is_part_of_the_key_and_the_record(report, tmp_path):
    doc, sections, meta = report
    with OpenAIServer(by_title()) as server:
        settings = settings_for(server, tmp_path)
        read_with_model_sync(doc, sections, meta, settings)
        asked = len(server.requests)
        _, run = read_with_model_sync(doc, sections, meta, settings.model_copy(update={"prompt_version": "v1"}))
    assert run.prompt_version == "v1" and run.requests == asked and run.cache_hits == 0
    v1_system = server.requests[-1].messages[0]["content"]
    assert "Example" not in v1_system  # v1 is the plain prompt; v2 adds layout knowledge and an example


def test_report_text_reaches_the_model_untemplated(tmp_path):
    """Braces in a report must not be read as Jinja: the text goes in as a variable."""
    text = "某某局2021年度政府信息公开工作报告\n一、总体情况\n共办理{{ 注 }}事项12项，其中{# 备注 #}A事项5项，B事项7项。\n"
    from extractor.document import Document

    doc = Document(format="txt", sha256="x", source=text, text=text, offsets=list(range(len(text) + 1)))
    sections = split_sections(text)
    meta = Meta(kind="annual_report", layout="pre2019")
    handler = lambda r: Reply.answer({"claims": []} if schema_title(r.body) == "ClaimsAnswer" else {"agency": None, "kind": "annual_report"})  # noqa: E731
    with OpenAIServer(handler) as server:
        asyncio.run(read_with_model_run(doc, sections, meta, settings_for(server, tmp_path)))
    sent = "\n".join(r.text for r in server.requests)
    assert "共办理{{ 注 }}事项12项，其中{# 备注 #}A事项5项" in sent


def test_requests_in_flight_are_bounded(report, tmp_path):
    doc, sections, meta = report
    state = {"now": 0, "max": 0}
    lock = threading.Lock()
    inner = by_title()

    def handler(request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        threading.Event().wait(0.1)
        with lock:
            state["now"] -= 1
        return inner(request)

    for limit, expect in ((1, lambda m: m == 1), (4, lambda m: 1 < m <= 4)):
        state["max"] = 0
        with OpenAIServer(handler) as server:
            read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path, concurrency=limit, use_cache=False))
        assert expect(state["max"]), (limit, state["max"])


# ------------------------------------------------------------------ validation
def test_a_broken_identity_is_sent_back_and_the_corrected_answer_kept(report, tmp_path):
    call = one_call(report, "applications")
    with OpenAIServer([Reply.answer(APPLICATIONS_BROKEN), Reply.answer(ANSWERS["ApplicationsAnswer"])]) as server:
        result = run_call(settings_for(server, tmp_path), call)
    assert result.failure is None and result.attempts == 2 and result.requests == 2
    assert result.answer.rows[2].natural_person == 3
    reask = json.dumps(server.requests[1].messages, ensure_ascii=False)
    assert len(server.requests[1].messages) > len(server.requests[0].messages)
    # the 3 of 予以公开 moved one column right: its row no longer splits into the printed run
    assert "granted: the values [0, 3, 0, 0, 0, 0, 3] are not what the quoted row" in reask


def test_invalid_json_is_re_asked_in_json_mode(report, tmp_path):
    call = one_call(report, "review_litigation")
    replies = [Reply.content('{"groups": [{"group": "review", "quote": "0000'), Reply.answer(ANSWERS["ReviewAnswer"])]
    with OpenAIServer(replies) as server:
        result = run_call(settings_for(server, tmp_path, mode="json"), call)
    assert result.failure is None and result.attempts == 2
    assert "Correct your JSON" in json.dumps(server.requests[1].messages, ensure_ascii=False)


def test_what_fails_after_the_last_attempt_is_kept_with_its_failure(report, tmp_path):
    doc, sections, meta = report
    wrong = json.loads(json.dumps(ANSWERS["ActiveDisclosure2021Answer"]))
    wrong["rows"][2]["decisions"] = 2730  # not printed anywhere in the section
    handler = by_title({"ActiveDisclosure2021Answer": [Reply.answer(wrong)] * 3})
    with OpenAIServer(handler) as server:
        reading, run = read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path, max_retries=2))
        # the final failure is cached with its inputs: a rerun makes no request…
        _, again = read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path))
        # …unless asked to retry the failed sections (only those)
        _, retried = read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path, retry_failed=True, max_retries=0))
    assert again.cache_hits == 5 and again.requests == 0 and again.failures == run.failures
    assert retried.cache_hits == 4 and retried.requests == 1
    assert len(run.failures) == 1 and run.failures[0].startswith("active_disclosure: invalid after 3 attempt(s)")
    assert "licensing: the values [2730] are not what the quoted row" in run.failures[0]
    assert reading.problems == run.failures
    assert reading.record.active_disclosure["licensing"]["decisions"] == 2730  # kept, not dropped…
    assert "kept after failed validation" in reading.evidence["active_disclosure.licensing.decisions"].note  # …and marked
    assert reading.record.applications["granted"].total == 3  # the other sections are read
    assert run.attempts == 3 + 4


# ------------------------------------------------------------------ faults
def test_429_waits_for_retry_after_then_succeeds(report, tmp_path):
    call = one_call(report, "review_litigation")
    with OpenAIServer([Reply.rate_limited(retry_after=0.3), Reply.answer(ANSWERS["ReviewAnswer"])]) as server:
        result = run_call(settings_for(server, tmp_path, http_retries=2), call)
    assert result.failure is None and result.requests == 2 and result.attempts == 1
    assert server.requests[1].at - server.requests[0].at >= 0.29


@pytest.mark.parametrize(
    "fault",
    [Reply.error(500, "overloaded"), Reply.malformed(), Reply.drop(), Reply.error(503, "busy")],
    ids=["500", "malformed-body", "dropped-connection", "503"],
)
def test_transient_faults_are_retried(report, tmp_path, fault):
    call = one_call(report, "review_litigation")
    with OpenAIServer([fault, Reply.answer(ANSWERS["ReviewAnswer"])]) as server:
        result = run_call(settings_for(server, tmp_path, http_retries=1), call)
    assert result.answer is not None and len(server.requests) == 2
    if fault.kind != "raw":  # a malformed 200 body fails parsing, which instructor re-asks
        assert result.failure is None and result.requests == 2


def test_a_timeout_fails_that_section_only(report, tmp_path):
    doc, sections, meta = report
    handler = by_title({"ApplicationsAnswer": [Reply.hang(5), Reply.hang(5)]})
    with OpenAIServer(handler) as server:
        reading, run = read_with_model_sync(
            doc, sections, meta, settings_for(server, tmp_path, timeout=0.4, http_retries=1)
        )
    assert run.failures == ["applications: timed out after 0.4s (1 retries)"]
    assert reading.record.applications is None
    assert reading.record.review_litigation is not None and reading.record.meta.agency
    assert run.requests == 4 + 2


def test_cut_off_answer_is_a_section_failure(report, tmp_path):
    call = one_call(report, "review_litigation")
    with OpenAIServer([Reply.truncated(ANSWERS["ReviewAnswer"])]) as server:
        result = run_call(settings_for(server, tmp_path), call)
    assert result.answer is None and "cut off at max_tokens" in result.failure


def test_no_key_is_one_clear_model_error(tmp_path):
    settings = LlmSettings(model="gpt-x", base_url="https://api.example.com/v1")
    with pytest.raises(ModelError) as err:
        ModelEngine(settings)
    assert err.value.exit_code == ExitCode.MODEL
    assert "EXTRACTOR_API_KEY" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ModelError, match="no model set"):
        ModelEngine(LlmSettings(base_url="http://localhost:11434/v1"))


def test_unreachable_endpoint_is_a_model_error(report, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    doc, sections, meta = report
    settings = LlmSettings(model="m", base_url=f"http://127.0.0.1:{port}/v1", api_key=SECRET, cache_dir=tmp_path, http_retries=0)
    with pytest.raises(ModelError, match=f"cannot reach the model endpoint http://127.0.0.1:{port}/v1"):
        read_with_model_sync(doc, sections, meta, settings)


def test_refused_key_is_a_model_error_that_never_shows_the_key(report, tmp_path, caplog):
    caplog.set_level("DEBUG")
    doc, sections, meta = report
    with OpenAIServer(lambda r: Reply.error(401, f"Incorrect API key provided: {SECRET}")) as server:
        with pytest.raises(ModelError) as err:
            read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path))
    assert "refused the API key (401)" in str(err.value) and SECRET not in str(err.value)
    assert "API call failed" in caplog.text and SECRET not in caplog.text  # instructor logs the error text, redacted
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # it was sent, only where it belongs


def test_the_key_never_lands_in_outputs_cache_or_repr(report, tmp_path):
    doc, sections, meta = report
    with OpenAIServer(by_title({"ReviewAnswer": [Reply.answer({"groups": "oops " + SECRET})] * 3})) as server:
        settings = settings_for(server, tmp_path)
        reading, run = read_with_model_sync(doc, sections, meta, settings)
    assert run.failures  # the echoed key is in a failure message…
    outputs = [reading.model_dump_json(), run.model_dump_json(), repr(settings), str(settings), settings.model_dump_json()]
    assert all(SECRET not in text for text in outputs)  # …but redacted
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == "0o700"
    assert AnswerCache(tmp_path / "cache").stats().entries == 5  # the failure is cached too, redacted


# ------------------------------------------------------------------ planning
def test_work_summary_is_read_in_chunks_of_numbered_paragraphs():
    paragraphs = "".join(
        f"（{n}）第{i}项工作。全年办理事项{i * 10}件，其中网上办理{i * 6}件，窗口办理{i * 4}件。" + "推进政务公开标准化规范化建设。" * 30 + "\n"
        for i, n in enumerate("一二三四五六七八", start=1)
    )
    text = "某县2022年政务公开工作落实情况\n一、工作开展情况\n" + paragraphs + "二、下一步打算\n继续推进。\n"
    from extractor.document import Document

    doc = Document(format="txt", sha256="x", source=text, text=text, offsets=list(range(len(text) + 1)))
    sections = split_sections(text)
    calls = plan_calls(doc, sections, Meta(kind="work_summary", layout=None))
    claims = [c for c in calls if c.task == "claims"]
    assert [c.task for c in calls].count("meta") == 1 and len(calls) == 1 + len(claims)
    assert len(claims) > 1 and all(len(c.source) <= CHUNK_CHARS for c in claims)
    for c in claims:  # every chunk starts at a numbered paragraph and is a real slice of the text
        offset, chunk = c.parts[0]
        assert doc.text[offset : offset + len(chunk)] == chunk and chunk.lstrip().startswith(("（", "一、"))
    covered = "".join(c.source for c in claims)
    assert all(f"全年办理事项{i * 10}件" in covered for i in range(1, 9))


def test_pre2019_statistics_are_read_from_their_sections_only(tmp_path):
    from llm_answers import frozen_document, frozen_sections

    from extractor.llm.plan import STATS_TABLE_CHARS

    doc = frozen_document(ROOT / "eval" / "reports" / "hebei-rst-2017.txt")
    headings = (("一、工作情况", None), ("二、依申请公开政府信息情况", "applications"),
                ("三、政府信息公开行政复议", "review_litigation"), ("四、支出与收费情况", None))
    sections = frozen_sections(doc.text, headings)
    meta = Meta(kind="annual_report", layout="pre2019")
    call = next(c for c in plan_calls(doc, sections, meta) if c.task == "pre2019")
    assert call.parts[0][0] == sections[1].span.start and "一、工作情况" not in call.source  # not the whole report
    assert "四、支出与收费情况" in call.source and len(call.source) < STATS_TABLE_CHARS
    answer = {"items": [{"key": "applications.received", "quote": "受理政府信息依申请公开30件", "value": 30},
                        {"key": "applications.letter", "quote": "信函申请15件", "value": 15}]}
    handler = lambda r: Reply.answer(answer if schema_title(r.body) == "Pre2019Answer" else {"claims": []} if schema_title(r.body) == "ClaimsAnswer" else {"kind": "annual_report"})  # noqa: E731
    with OpenAIServer(handler) as server:
        reading, run = read_with_model_sync(doc, sections, meta, settings_for(server, tmp_path))
    assert run.failures == []
    assert reading.record.pre2019.applications.received == 30 and reading.record.pre2019.applications.fax is None
    ev = reading.evidence["pre2019.applications.letter"]
    assert ev.span.slice(doc.text) == "信函申请15件" and reading.record.applications is None
