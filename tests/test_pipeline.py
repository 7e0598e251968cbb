"""The pipeline end to end: every value points at its evidence, in the text and in the original file."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest

import evalset

from evalset import IDS, MANIFEST, ROOT, report_path
from extractor.loading import load
from extractor.pipeline import ExtractOptions, extract_document

_TAG = re.compile(r"<[^>]*>")


def _plain(source_slice: str) -> str:
    """The original slice as a reader sees it: markup dropped, entities and width folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", html.unescape(_TAG.sub("", source_slice))).split())


@pytest.mark.evalset
@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_every_value_points_at_its_digits_in_the_text_and_in_the_original(entry: dict) -> None:
    doc = load(report_path(entry))
    extraction = extract_document(doc, ExtractOptions(check=False))
    spanned = [(p, ev) for p, ev in extraction.evidence.items() if ev.span is not None and ev.value is not None]
    assert spanned or extraction.record.pre2019 is not None
    for path, ev in spanned:
        text = doc.text[ev.span.start : ev.span.end]
        assert ev.source_span is not None, path
        original = _plain(doc.source[ev.source_span.start : ev.source_span.end])
        assert original == "".join(text.split()), (path, text, original)
        zero_in_words = ev.value == 0 and not any(ch.isdigit() for ch in text)  # 未收到申请, 无行政复议
        if isinstance(ev.value, (int, float)) and not path.startswith("claims") and not zero_in_words:
            digits = str(abs(ev.value)).removesuffix(".0")
            assert digits in text.replace(",", ""), (path, ev.value, text)


def test_reader_only_run_says_which_engine_read_it() -> None:
    doc = load(ROOT / "examples" / "huaian-hongze-2023.txt")
    extraction = extract_document(doc)
    assert extraction.run.engines == ["reader"] and extraction.run.input_sha256 == doc.sha256
    assert Path(extraction.run.input_path).is_absolute()
    assert {ev.source for ev in extraction.evidence.values()} == {"reader"}
    assert extraction.record.applications["new_received"].total == 21


@pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])
def test_both_engines_are_reconciled_value_by_value(tmp_path: Path) -> None:
    """Reader and (hand-written) model answers through the real pipeline: agreed where they agree, and a
    model answer that differs from a number the reader read never replaces it (conflicted, reader kept)."""
    from llm_answers import APPLICATIONS, by_title, row
    from openai_server import OpenAIServer, Reply

    from extractor.llm import LlmSettings

    doc = load(evalset.report_path("hebei-gxt-2021"))
    wrong = {**APPLICATIONS, "rows": [row("new_received", "一、本年新收政府信息公开申请数量4000004", 4, 0, 0, 0, 0, 0, 5),
                                      *APPLICATIONS["rows"][1:]]}
    for answers, expected in ((None, "agreed"), ({"ApplicationsAnswer": [Reply.answer(wrong)] * 3}, "conflicted")):
        with OpenAIServer(by_title(answers)) as server:
            settings = LlmSettings(model="hand-written", base_url=server.url, api_key="k", mode="tools",
                                   use_cache=False, max_retries=0)
            extraction = extract_document(doc, ExtractOptions(engine="both", llm=settings))
        assert extraction.run.engines == ["reader", "llm"] and extraction.run.requests == len(server.requests) > 0
        total = extraction.evidence["applications.new_received.total"]
        assert (total.source, total.value) == (expected, 4), total
        assert extraction.record.applications["new_received"].total == 4
        assert extraction.evidence["applications.granted.total"].source == "agreed"
