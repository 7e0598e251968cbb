"""Whatever bytes arrive, loading gives a Document or an InputError, and the map stays sound."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.document import Document
from extractor.errors import InputError
from extractor.loading import load_bytes
from extractor.normalize import normalize, normalize_mapped

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXTENSIONS = [".txt", ".md", ".html", ".htm", ".docx", ".pdf"]


def load_or_input_error(data: bytes, name: str) -> Document | None:
    try:
        doc = load_bytes(data, name)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert doc.text.strip()
    assert len(doc.offsets) == len(doc.text) + 1
    assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:]))
    assert doc.offsets[-1] <= len(doc.source)
    return doc


@FAST
@given(data=st.binary(max_size=2000), ext=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes(data: bytes, ext: str) -> None:
    load_or_input_error(data, "x" + ext)


# markup-heavy alphabet so the HTML tokenizer meets broken tags, entities and tables
HTML_BITS = st.lists(
    st.sampled_from(
        ["<", ">", "/", "td", "tr", "table", "p", "div", "br", "script", "!--", "-->", "&", "amp;", "#", "x4e00;",
         "nbsp;", '"', "'", "=", " class=nav", " colspan=2", " ", "\n", "中", "１", "a", "\u3000", "\u200b"]
    ),
    max_size=200,
).map("".join)


@FAST
@given(page=HTML_BITS)
def test_html_fragments(page: str) -> None:
    doc = load_or_input_error(page.encode("utf-8"), "x.html")
    if doc is not None:
        lines = set(doc.text.split("\n"))
        for table in doc.tables:
            for row in table.rows:
                for cell in row:
                    assert cell.text == doc.text[cell.span.start : cell.span.end]
                assert "\t".join(c.text for c in row) in lines


@FAST
@given(text=st.text(min_size=1, max_size=300), codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030"]))
def test_text_in_every_encoding(text: str, codec: str) -> None:
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:  # lone surrogates
        return
    doc = load_or_input_error(data, "r.txt")
    if doc is not None and codec in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        # self-identifying encodings must round-trip exactly
        assert doc.text == normalize(text)


CHINESE = st.text(
    alphabet=st.sampled_from(list("政府信息公开工作年度报告一二三四五六总体情况主动申请数量本年新收予以部分不处理件项，。、（）：１２３０１23456789 \n")),
    min_size=12,
    max_size=400,
)


@FAST
@given(text=CHINESE, codec=st.sampled_from(["gbk", "gb18030"]))
def test_chinese_in_national_encodings_decodes_right(text: str, codec: str) -> None:
    doc = load_or_input_error(text.encode(codec), "r.md")
    if text.strip():
        assert doc is not None and doc.source == text
        assert doc.encoding == ("utf-8" if text.isascii() else "gb18030")


@FAST
@given(text=st.text(alphabet=st.sampled_from([" ", "\t", "\n", "\r", "\u3000", "\u00a0", "\u200b", "\ufeff", "\u2060"])))
@pytest.mark.parametrize("ext", [".txt", ".md", ".html"])
def test_blank_input_is_an_input_error(text: str, ext: str) -> None:
    with pytest.raises(InputError):
        load_bytes(text.encode("utf-8"), "b" + ext)


@FAST
@given(text=st.text(max_size=400))
def test_normalize_map_round_trips(text: str) -> None:
    out, offsets = normalize_mapped(text)
    assert out == normalize(text)
    assert len(offsets) == len(out) + 1 and offsets[-1] == len(text)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    bounds = [i for i in range(len(out) + 1) if i in (0, len(out)) or offsets[i] != offsets[i - 1]]
    for a, b in zip(bounds, bounds[1:]):
        # each unit, with the deleted characters after it, normalises to exactly its text
        assert normalize(text[offsets[a] : offsets[b]]) == out[a:b]
    assert normalize(text[: offsets[0]]) == ""  # only deleted characters before the first one


@pytest.mark.parametrize("ext", [".txt", ".md", ".html"])
def test_one_megabyte_single_line(ext: str) -> None:
    line = ("政府信息公开１２３，" * 105_000)[:1_000_000]
    doc = load_bytes(line.encode("utf-8"), "big" + ext)
    assert "\n" not in doc.text
    assert doc.text.startswith("政府信息公开123,")
    assert len(doc.offsets) == len(doc.text) + 1
