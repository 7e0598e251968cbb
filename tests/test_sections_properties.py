"""Properties of the splitter (and meta detection) on arbitrary text: never an exception, spans always sane."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.document import Document
from extractor.meta import detect_meta
from extractor.sections import Section, split_sections

# Pieces real reports are made of, so generated texts hit the interesting paths
# (numbers, brackets, table rows, chrome, dates) far more often than random characters would.
PIECES = [
    "一、", "二、", "三 、", "四.", "五、", "六、", "十一、", "(一)", "(二)", "三)", "1.", "2、", "第三、", "一、二、",
    "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况", "其他需要报告的事项", "本年新收政府信息公开申请数量", "结转下年度继续办理", "本年度办理结果",
    "予以公开", "概述", "依申请公开", "统计指标", "本年制发件数", "新制作数量", "附件下载", "扫一扫在手机上查看",
    "2019年", "2020年1月15日", "二○一四年一月十日", "发布时间: 2014-01-10", "1月1日至", "河北省教育厅", "平潭综合实验区",
    "条", "件", "0", "7000007", "12.5", ",", "。", ";", ":", "(", ")", "|", "\t", "\n", " ", "  ", "\u3000", "“", "”",
    "我厅", "工作", "加强", "公开",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=80).map("".join)


def check(text: str, sections: list[Section], start: int = 0, end: int | None = None) -> None:
    end = len(text) if end is None else end
    previous = start
    for s in sections:
        assert start <= s.span.start <= s.span.end <= end
        assert s.span.start >= previous, "siblings overlap or go backwards"
        assert s.heading_span.start == s.span.start <= s.heading_span.end <= s.span.end
        assert text[s.heading_span.start : s.heading_span.end] == s.heading
        assert s.level in (1, 2)
        previous = s.span.end
        check(text, s.children, s.heading_span.end, s.span.end)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_gives_sane_sections(text: str) -> None:
    check(text, split_sections(text))


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_unicode_text_gives_sane_sections(text: str) -> None:
    check(text, split_sections(text))


@settings(max_examples=60, deadline=None)
@given(texts)
def test_meta_never_fails(text: str) -> None:
    doc = Document(format="txt", sha256="0" * 64, source=text, text=text, offsets=list(range(len(text) + 1)))
    meta = detect_meta(doc, split_sections(text))
    assert meta.kind in ("annual_report", "work_summary")
    assert meta.layout is None if meta.kind == "work_summary" else meta.layout in ("pre2019", "2019", "2021")


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(PIECES), st.integers(min_value=1_000, max_value=40_000))
def test_huge_lines(piece: str, times: int) -> None:
    text = ("一、总体情况" + piece * times + "二、主动公开政府信息情况" + piece).replace("\n", " ")
    check(text, split_sections(text))


def test_empty_sections() -> None:
    text = "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
    sections = split_sections(text)
    assert [s.heading for s in sections] == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    check(text, sections)
    assert sections[0].span.end == sections[1].span.start
