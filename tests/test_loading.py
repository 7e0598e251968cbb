"""Loading every input shape into one normalised text whose map leads back to the source."""

from __future__ import annotations

import hashlib
import html
import io
import random
import re
import unicodedata
from pathlib import Path

import pytest

from evalset import IDS, MANIFEST, report_path
from extractor.document import Document, Span
from extractor.errors import ExitCode, InputError
from extractor.loading import load, load_bytes
from extractor.normalize import _PLAIN_RANGES, _map_unit, normalize, normalize_mapped, sub_mapped


# --- invariants every Document must satisfy -----------------------------------------


def unit_starts(doc: Document) -> list[bool]:
    """starts[i]: text[i] is the first character made from its source position."""
    o = doc.offsets
    return [i == 0 or o[i] != o[i - 1] for i in range(len(doc.text) + 1)]


def assert_map_sound(doc: Document) -> None:
    """Length, order and range of the map, and every character traced to where it came from."""
    text, src, o = doc.text, doc.source, doc.offsets
    assert len(o) == len(text) + 1
    assert all(a <= b for a, b in zip(o, o[1:])), "offsets must be non-decreasing"
    assert 0 <= o[0] and o[-1] <= len(src)
    first = 0
    for i, ch in enumerate(text):
        if i == 0 or o[i] != o[i - 1]:
            first = i
        at = src[o[i] : o[i] + 16]
        if doc.format == "html":
            if ch in "\t\n":
                assert at.startswith("<"), (i, ch, at)  # rows, cells and blocks come from tags
                continue
            if ch == " " and (at[:1].isspace() or at.startswith("<")):
                continue  # collapsed whitespace, or a line break inside a table cell
            if at.startswith("&"):
                at = html.unescape(at)
        made = normalize(at)
        assert made[i - first : i - first + 1] == ch, (i, ch, at, made)


def assert_slices_round_trip(doc: Document, n: int = 200) -> None:
    """For text formats: random slices of the text are exactly the normalised source they map to."""
    starts = unit_starts(doc)
    bounds = [i for i, s in enumerate(starts) if s]
    rng = random.Random(len(doc.text))
    for _ in range(n):
        a, b = sorted(rng.sample(bounds, 2)) if len(bounds) > 1 else (0, len(doc.text))
        src = doc.to_source(Span(start=a, end=b))
        assert normalize(doc.source[src.start : src.end]) == doc.text[a:b]


def assert_tables_consistent(doc: Document) -> None:
    lines = set(doc.text.split("\n"))
    for table in doc.tables:
        assert table.rows
        for row in table.rows:
            for cell in row:
                assert cell.text == doc.text[cell.span.start : cell.span.end]
                assert "\t" not in cell.text and "\n" not in cell.text
            assert "\t".join(c.text for c in row) in lines
        # grid positions: every cell once, its spans covering slots no other cell covers, rows left to right
        taken: set[tuple[int, int]] = set()
        for row in table.rows:
            assert [c.col for c in row] == sorted(c.col for c in row) and len({c.row for c in row}) == 1
            for cell in row:
                slots = {(cell.row + r, cell.col + c) for r in range(cell.rowspan) for c in range(cell.colspan)}
                assert not slots & taken, cell
                taken |= slots


# --- the eval set: every report loads --------------------------------------------------


@pytest.mark.evalset
@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_every_eval_report_loads(entry: dict) -> None:
    doc = load(report_path(entry))
    assert doc.text.strip()
    assert doc.path and doc.path.endswith(entry["file"])
    assert doc.sha256 == hashlib.sha256(report_path(entry).read_bytes()).hexdigest()
    assert doc.text == unicodedata.normalize("NFKC", doc.text)
    assert not re.search(r"[\u200b-\u200d\u2060\ufeff\u00a0\u3000\r]", doc.text)
    assert_map_sound(doc)
    if doc.format in ("txt", "md"):
        assert_slices_round_trip(doc)
    else:
        assert not re.search(r"<(?:div|span|p|td|tr|table|script|style)\b", doc.text, re.I)
        assert_tables_consistent(doc)
    assert "公开" in doc.text


TWINS = [e for e in MANIFEST if e["id"].endswith("-html")]


@pytest.mark.evalset
@pytest.mark.parametrize("entry", TWINS, ids=[e["id"] for e in TWINS])
def test_html_page_keeps_the_body_its_web_text_twin_has(entry: dict) -> None:
    """The same report as scraped web text: every sentence of it must survive chrome removal."""
    page = re.sub(r"\s", "", load(report_path(entry)).text)
    web = load(report_path(entry["id"].removesuffix("-html"))).text
    cjk = re.compile(r"[\u4e00-\u9fff]")
    # sentences of the report, not the scraper's header lines (URL, path, ====)
    sentences = [s for s in re.split(r"[。;\s]", web) if len(s) >= 15 and len(cjk.findall(s)) >= 0.8 * len(s)]
    assert sentences
    missing = [s for s in sentences if re.sub(r"\s", "", s) not in page]
    assert len(missing) <= len(sentences) // 20, missing[:5]


# --- normalisation ------------------------------------------------------------------------


def test_normalize_full_width_invisible_and_line_ends() -> None:
    src = "（一）收到申请１２３件，占\u3000５０％\u200b。\u00a0A\u2060B\ufeff\r\nx\ry"
    text, offsets = normalize_mapped(src)
    assert text == "(一)收到申请123件,占 50%。 AB\nx\ny"
    assert len(offsets) == len(text) + 1
    assert src[offsets[text.index("2")]] == "２"
    assert src[offsets[text.index("\n")] :].startswith("\r\n")  # CRLF: one newline from the pair's start


def test_normalize_expansion_maps_every_piece_to_its_origin() -> None:
    src = "a㈠b…"
    text, offsets = normalize_mapped(src)
    assert text == "a(一)b..."
    assert offsets == [0, 1, 1, 1, 2, 3, 3, 3, 4]


def test_normalize_keeps_combining_sequences_whole() -> None:
    src = "cafe\u0301 한\u1100\u1161"
    text, offsets = normalize_mapped(src)
    assert text == unicodedata.normalize("NFKC", src)
    assert offsets[text.index("é")] == 3


def test_normalize_falls_back_to_whole_lines_when_units_interact() -> None:
    """A combining mark right after CRLF defeats per-unit mapping; the line-level map still holds."""
    src = "ab\r\n\u0305cd\nxy"
    text, offsets = normalize_mapped(src)
    assert text == normalize(src) == "ab\n\u0305cd\nxy"
    assert len(offsets) == len(text) + 1
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    assert offsets[text.index("x")] == src.index("x")


def test_normalize_composes_offsets() -> None:
    text, offsets = normalize_mapped("１x", [10, 20, 30])
    assert (text, offsets) == ("1x", [10, 20, 30])


def test_plain_ranges_really_are_stable() -> None:
    """Characters copied in bulk must be exactly those the slow path would leave alone."""
    pattern = re.compile(f"[{_PLAIN_RANGES}]")
    for cp in range(0x10000):
        ch = chr(cp)
        if pattern.match(ch):
            assert _map_unit(ch) == ch, hex(cp)
            assert unicodedata.combining(ch) == 0, hex(cp)


def test_sub_mapped_keeps_the_map() -> None:
    text, offsets = sub_mapped("a  b  ", [0, 1, 2, 3, 4, 5, 6], re.compile(r" +"), " ")
    assert (text, offsets) == ("a b ", [0, 1, 3, 4, 6])


# --- HTML -----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>标题不算正文</title>
<style>.x { color: red }</style><script>var s = "<td>脚本</td>";</script></head>
<body><div class="header_top">网站首页 | 无障碍</div><nav><a href="/">导航菜单</a></nav>
<div class="breadcrumb">当前位置：首页</div><div id="header"><table><tr><td>栏目一</td><td>栏目二</td></tr></table></div>
<div class="article">
<p>一、总体情况</p>
<p>全年收到申请<span>2</span><span>0</span>件&nbsp;&amp;&#x4e00;&#19968;项</p>
<table border="1">
 <tr><td>信息内容</td><td colspan="2">本年<br>新制作数量</td></tr>
 <tr><td rowspan=2>规章</td><td>１３</td><td> </td></tr>
 <tr><td>7</td><td>8</td></tr>
</table>
<p style="display:none">隐藏的字</p>
<p>二、主动公开</p>
<noscript>请启用脚本</noscript><iframe src="x">框架</iframe>
</div>
<div class="share_box">分享到</div>
<div id="footer">版权所有 主办单位</div>
<script>document.write('<p>写入</p>')</script>
</body></html>"""


def test_html_table_chrome_and_script(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = load(path)
    assert doc.format == "html" and doc.encoding == "utf-8"
    assert doc.text.split("\n") == [
        "一、总体情况",
        "全年收到申请20件 &一一项",
        "信息内容\t本年 新制作数量",
        "规章\t13\t",
        "7\t8",
        "二、主动公开",
    ]
    for gone in ("标题", "栏目", "脚本", "网站首页", "导航", "当前位置", "隐藏", "请启用", "框架", "分享", "版权", "写入", "color"):
        assert gone not in doc.text
    (table,) = doc.tables
    assert [[c.text for c in row] for row in table.rows] == [["信息内容", "本年 新制作数量"], ["规章", "13", ""], ["7", "8"]]
    assert table.rows[0][1].colspan == 2
    assert table.rows[1][0].rowspan == 2
    assert doc.text[table.span.start : table.span.end].startswith("信息内容")
    positions = [[(0, 0), (0, 1)], [(1, 0), (1, 1), (1, 2)], [(2, 1), (2, 2)]]
    assert [[(c.row, c.col) for c in row] for row in table.rows] == positions
    for cell in (c for row in table.rows for c in row):
        assert cell.origin and cell.origin.startswith("html offset ")
        assert doc.source.startswith("<td", int(cell.origin.removeprefix("html offset ")))
    # offsets point into the markup: the digit, the entity, the tag that made the tab
    assert doc.source[doc.offsets[doc.text.index("13")]] == "１"
    assert doc.source.startswith("&amp;", doc.offsets[doc.text.index("&")])
    assert doc.source.startswith("<td", doc.offsets[doc.text.index("\t")])
    assert_map_sound(doc)
    assert_tables_consistent(doc)


def test_html_chrome_words_never_drop_the_body(tmp_path: Path) -> None:
    """ASP.NET pages wrap everything in a form; a "header" class may hold the report."""
    body = "<p>" + "本机关全年主动公开政府信息一千条。" * 20 + "</p>"
    page = f'<html><body><form id="form1"><div class="header-main">{body}</div><div class="nav">菜单</div></form></body></html>'
    doc = load_bytes(page.encode(), "p.htm")
    assert "主动公开政府信息一千条" in doc.text
    assert "菜单" not in doc.text


def test_html_article_header_is_kept_and_layout_tables_are_not_tables() -> None:
    page = (
        "<article><header><h1>2021年度报告</h1></header><table><tr><td>"
        "<p>正文一</p><table><tr><td>a</td><td>1</td></tr></table></td></tr></table></article>"
    )
    doc = load_bytes(page.encode(), "p.html")
    assert doc.text.split("\n") == ["2021年度报告", "正文一", "a\t1"]
    assert len(doc.tables) == 1 and [c.text for c in doc.tables[0].rows[0]] == ["a", "1"]


def test_html_declared_gbk_charset() -> None:
    page = '<html><head><meta charset="gb2312"></head><body><p>收到申请２１件</p></body></html>'
    doc = load_bytes(page.encode("gb18030"), "p.html")
    assert doc.encoding == "gb18030"
    assert doc.text == "收到申请21件"


# --- text encodings -----------------------------------------------------------------------

REPORT = "政府信息公开工作年度报告\n一、总体情况\n（一）本年新收政府信息公开申请２１件，其中自然人申请１９件。\n"


@pytest.mark.parametrize(
    ("codec", "prefix", "expected"),
    [
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-8", b"", "utf-8"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ],
)
def test_text_encodings(tmp_path: Path, codec: str, prefix: bytes, expected: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(prefix + REPORT.encode(codec))
    doc = load(path)
    assert doc.encoding == expected
    assert doc.source == REPORT
    assert doc.text == "政府信息公开工作年度报告\n一、总体情况\n(一)本年新收政府信息公开申请21件,其中自然人申请19件。\n"
    assert_slices_round_trip(doc)


def test_gb18030_beyond_gbk(tmp_path: Path) -> None:
    text = "某某区政府信息公开年度报告：𠮷祥路街道（四字节字符）收到申请３件。"
    path = tmp_path / "report.md"
    path.write_bytes(text.encode("gb18030"))
    doc = load(path)
    assert doc.encoding == "gb18030"
    assert "𠮷祥路街道(四字节字符)收到申请3件" in doc.text


# --- DOCX and PDF ---------------------------------------------------------------------------


def test_docx_paragraphs_and_table(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体情况\u3000全年收到申请２１件")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text = "信息内容"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "本年新制作数量"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "规章"
    t.cell(1, 1).text = "13"
    t.cell(1, 2).text = "５２４"
    t.cell(2, 2).text = "7"
    d.add_paragraph("二、主动公开政府信息情况")
    path = tmp_path / "r.docx"
    d.save(str(path))
    doc = load(path)
    assert doc.format == "docx" and doc.encoding is None
    assert doc.text.split("\n") == [
        "一、总体情况 全年收到申请21件",
        "信息内容\t本年新制作数量",
        "规章\t13\t524",
        "\t7",
        "二、主动公开政府信息情况",
    ]
    (table,) = doc.tables
    assert [[c.text for c in r] for r in table.rows] == [["信息内容", "本年新制作数量"], ["规章", "13", "524"], ["", "7"]]
    assert table.rows[0][1].colspan == 2 and table.rows[1][0].rowspan == 2
    positions = [[(0, 0), (0, 1)], [(1, 0), (1, 1), (1, 2)], [(2, 1), (2, 2)]]
    assert [[(c.row, c.col) for c in row] for row in table.rows] == positions
    assert [c.origin for c in table.rows[2]] == ["docx table 1 row 3 cell 2", "docx table 1 row 3 cell 3"]
    assert "２１" in doc.source  # the raw extracted text, before normalisation
    assert_map_sound(doc)
    assert_tables_consistent(doc)


def _pdf(pages: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in pages:
        c.setFont("STSong-Light", 12)
        for k, line in enumerate(page.split("\n")):
            c.drawString(72, 760 - 18 * k, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_with_chinese_text(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(_pdf(["一、总体情况\n全年收到申请２１件，（一）予以公开", "二、主动公开"]))
    doc = load(path)
    assert doc.format == "pdf" and doc.encoding is None
    assert doc.text.split("\n") == ["一、总体情况", "全年收到申请21件,(一)予以公开", "二、主动公开"]
    assert_map_sound(doc)


# --- bad input: one clear InputError each -----------------------------------------------------


def _input_error(call, *args) -> str:
    with pytest.raises(InputError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message and info.value.exit_code == ExitCode.BAD_INPUT
    return message


def _scanned_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(72, 72, 200, 300, fill=1)  # drawing only, like a page image
    c.showPage()
    c.save()
    return buf.getvalue()


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _input_error(load, tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    assert "directory" in _input_error(load, tmp_path)


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", "\u3000\u200b\n\ufeff".encode("utf-8")])
@pytest.mark.parametrize("ext", [".txt", ".md", ".html"])
def test_empty(tmp_path: Path, data: bytes, ext: str) -> None:
    path = tmp_path / f"empty{ext}"
    path.write_bytes(data)
    message = _input_error(load, path)
    assert "empty" in message or "no text" in message


def test_markup_only_html() -> None:
    assert "no text" in _input_error(load_bytes, b"<html><head><title>x</title></head><body> </body></html>", "a.html")


@pytest.mark.parametrize("ext", [".txt", ".md", ".html"])
def test_binary_with_text_extension(ext: str) -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    assert "binary" in _input_error(load_bytes, b"GIF" + noise.replace(b"\x00", b"") + b"\x00\x01", f"x{ext}")
    assert "binary" in _input_error(load_bytes, noise.replace(b"\x00", b"\x01"), f"x{ext}")


def test_undecodable_bytes_without_nul() -> None:
    rng = random.Random(3)
    noise = bytes(rng.randrange(1, 256) for _ in range(4000))
    message = _input_error(load_bytes, noise, "x.txt")
    assert "binary" in message or "not readable text" in message


def test_image_files() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    assert "image" in _input_error(load_bytes, png, "scan.png")
    assert "OCR" in _input_error(load_bytes, png, "scan.txt")
    assert "image" in _input_error(load_bytes, b"\xff\xd8\xff\xe0" + b"1" * 20, "page.jpg")


def test_unknown_extension() -> None:
    message = _input_error(load_bytes, b"a,b\n1,2\n", "table.csv")
    assert ".csv" in message and ".docx" in message and ".pdf" in message
    assert "no extension" in _input_error(load_bytes, b"text", "README")


def test_pdf_bad_inputs() -> None:
    assert "no text layer" in _input_error(load_bytes, _scanned_pdf(), "scan.pdf")
    assert "OCR" in _input_error(load_bytes, _scanned_pdf(), "scan.pdf")
    assert "not a readable PDF" in _input_error(load_bytes, b"%PDF-1.7\n1 0 obj <<>> broken", "bad.pdf")
    assert "not a PDF" in _input_error(load_bytes, b"just some text", "fake.pdf")
    truncated = _pdf(["一、总体情况"])[:300]
    _input_error(load_bytes, truncated, "cut.pdf")


def test_encrypted_pdf() -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(72, 700, "hidden")
    c.showPage()
    c.save()
    assert "password" in _input_error(load_bytes, buf.getvalue(), "locked.pdf")


def test_corrupt_docx() -> None:
    assert "DOCX" in _input_error(load_bytes, b"PK\x03\x04 not really a zip", "r.docx")
    assert "DOCX" in _input_error(load_bytes, b"plain text", "r.docx")


def test_load_bytes_identity() -> None:
    data = "一、总体情况".encode()
    doc = load_bytes(data, "x.TXT")
    assert doc.format == "txt" and doc.path is None
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_bytes_without_a_name_get_the_extension_their_signature_shows() -> None:
    from extractor.loading import name_for_bytes

    assert name_for_bytes(b"%PDF-1.7\n...") == "report.pdf"
    assert name_for_bytes(b"PK\x03\x04rest") == "report.docx"
    assert name_for_bytes(b"\x89PNG\r\n\x1a\n....") == "report.png"
    assert name_for_bytes(b"\xff\xd8\xff\xe0....") == "report.jpg"
    assert name_for_bytes("\ufeff<!DOCTYPE html><html>".encode()) == "report.html"
    assert name_for_bytes("一、总体情况".encode()) == "report.txt"
