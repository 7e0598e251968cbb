"""PDF loading: tables as grids from the page geometry, page furniture dropped, glyphs, damage, limits.

Every PDF here is drawn at test time (reportlab, ``pdf_support``) or printed
by headless Chromium from an eval HTML page; the eval set's own PDFs are
checked against their gold and their text twins.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from evalset import report_path
from pdf_support import Cell, Grid, Page, Text, build_pdf, footer

from extractor.document import Document, Table, TableCell
from extractor.errors import InputError
from extractor.loading import load, load_bytes

NUMBERS = ["自然人", "法人", "总计"]


def _rows(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def _cell(table: Table, text: str) -> TableCell:
    (cell,) = [c for row in table.rows for c in row if c.text == text]
    return cell


def _assert_grid_in_text(doc: Document) -> None:
    """Each table row is one line of the text, its cells separated by tabs, at the cells' spans."""
    lines = doc.text.split("\n")
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                assert doc.text[cell.span.start : cell.span.end] == cell.text
            line = "\t".join(c.text for c in row)
            assert line in lines, line


# --- a table continued on the next page ---------------------------------------------------------------


def _split_table_pdf(footer_style: str = "- {} -") -> bytes:
    widths = [30, 150, 60, 60, 60]
    head = [Cell(0, 0, "项目", colspan=2), *(Cell(0, 2 + k, t) for k, t in enumerate(NUMBERS))]
    first = [
        *head,
        Cell(1, 0, "一、本年新收政府信息公开申请数量", colspan=2), Cell(1, 2, "5"), Cell(1, 3, "0"), Cell(1, 4, "5"),
        Cell(2, 0, "三本年度办理结果", rowspan=5, vertical=True),
    ]
    labels = ["(一)予以公开", "(二)部分公开", "(三)不予公开", "(四)无法提供", "(五)不予处理"]
    for k, label in enumerate(labels):
        first += [Cell(2 + k, 1, label), Cell(2 + k, 2, str(k)), Cell(2 + k, 3, "0"), Cell(2 + k, 4, str(k))]
    second = [Cell(0, 0, "", rowspan=2)]
    for k, label in enumerate(["(六)其他处理", "(七)总计"]):
        second += [Cell(k, 1, label), Cell(k, 2, "7"), Cell(k, 3, "0"), Cell(k, 4, "7")]
    second += [Cell(2, 0, "四、结转下年度继续办理", colspan=2), Cell(2, 2, "1"), Cell(2, 3, "0"), Cell(2, 4, "1")]
    page1 = Page([
        Text(72, 72, "一、总体情况"),
        Text(72, 100, "全年收到申请5件。"),
        Text(72, 570, "三、收到和处理政府信息公开申请情况"),
        Grid(72, 600, widths, [24] + [22] * 6, first, open_bottom=True),
        footer(1, footer_style),
    ])
    page2 = Page([
        Grid(72, 60, widths, [22, 22, 22], second, open_top=(0,)),
        Text(72, 150, "四、政府信息公开行政复议、行政诉讼情况"),
        footer(2, footer_style),
    ])
    return build_pdf([page1, page2])


@pytest.mark.parametrize("style", ["- {} -", "— {} —", "第 {} 页", "{}"])
def test_table_split_across_pages_is_one_grid_without_the_footer(style: str) -> None:
    doc = load_bytes(_split_table_pdf(style), "r.pdf")
    (table,) = doc.tables
    assert table.pages == [1, 2]
    rows = _rows(table)
    assert rows[0] == ["项目", *NUMBERS]
    assert rows[1] == ["一、本年新收政府信息公开申请数量", "5", "0", "5"]
    assert rows[2] == ["三本年度办理结果", "(一)予以公开", "0", "0", "0"]
    assert rows[7] == ["(六)其他处理", "7", "0", "7"]  # page 2 runs on, the label column spanning from page 1
    assert rows[-1] == ["四、结转下年度继续办理", "1", "0", "1"]
    label = _cell(table, "三本年度办理结果")
    assert (label.row, label.col, label.rowspan) == (2, 0, 7)  # its empty rest on page 2 is the same cell
    assert [c.row for c in table.rows[7]] == [7, 7, 7, 7] and table.rows[7][0].col == 1
    assert all(len(row) > 1 for row in table.rows[1:])  # no footer row inside
    if style != "{}":
        assert all(style.format(n) not in c.text for n in (1, 2) for r in table.rows for c in r)
    lines = doc.text.split("\n")
    assert lines[:3] == ["一、总体情况", "全年收到申请5件。", "三、收到和处理政府信息公开申请情况"]
    assert lines[-1] == "四、政府信息公开行政复议、行政诉讼情况"
    assert not any(line.strip("-— 第页") in ("1", "2") for line in lines)
    _assert_grid_in_text(doc)


def test_evidence_in_a_pdf_cell_maps_to_its_page_and_box() -> None:
    doc = load_bytes(_split_table_pdf(), "r.pdf")
    (table,) = doc.tables
    cell = _cell(table, "(七)总计")
    assert cell.box is not None and cell.box.page == 2 and cell.origin == "pdf page 2"
    assert doc.to_boxes(cell.span) == [cell.box]
    assert (round(cell.box.x0), round(cell.box.top), round(cell.box.x1), round(cell.box.bottom)) == (102, 82, 252, 104)
    heading = doc.text.index("四、政府信息公开")
    (box,) = doc.to_boxes(type(cell.span)(start=heading, end=heading + 2))
    assert box.page == 2 and 145 < box.top < 160


# --- headers ------------------------------------------------------------------------------------------


def test_header_three_rows_deep_keeps_its_spans() -> None:
    outcomes = ["维持", "纠正", "其他", "未结", "总计"]
    cells = [Cell(0, 0, "行政复议", colspan=5), Cell(0, 5, "行政诉讼", colspan=10)]
    cells += [Cell(1, 0 + k, t, rowspan=2) for k, t in enumerate(outcomes)]
    cells += [Cell(1, 5, "未经复议直接起诉", colspan=5), Cell(1, 10, "复议后起诉", colspan=5)]
    cells += [Cell(2, 5 + k, t) for k, t in enumerate(outcomes * 2)]
    cells += [Cell(3, k, str(k)) for k in range(15)]
    doc = load_bytes(build_pdf([Page([Text(72, 60, "四、政府信息公开行政复议、行政诉讼情况"),
                                      Grid(40, 90, [34] * 15, [20, 20, 20, 20], cells)])]), "r.pdf")
    (table,) = doc.tables
    spans = {c.text: (c.row, c.col, c.rowspan, c.colspan) for row in table.rows for c in row if not c.text.isdigit()}
    assert spans["行政复议"] == (0, 0, 1, 5) and spans["行政诉讼"] == (0, 5, 1, 10)
    assert spans["未经复议直接起诉"] == (1, 5, 1, 5) and spans["复议后起诉"] == (1, 10, 1, 5)
    assert [c.col for c in table.rows[2]] == list(range(5, 15))
    assert _rows(table)[3] == [str(k) for k in range(15)] and [c.col for c in table.rows[3]] == list(range(15))
    _assert_grid_in_text(doc)


def test_vertical_header_reads_as_one_label() -> None:
    cells = [Cell(0, 0, "自然人", rowspan=2, vertical=True), Cell(0, 1, "法人或其他组织", colspan=2),
             Cell(1, 1, "商业企业"), Cell(1, 2, "其他"), Cell(2, 0, "3"), Cell(2, 1, "4"), Cell(2, 2, "5")]
    doc = load_bytes(build_pdf([Page([Grid(100, 100, [40, 80, 80], [50, 20, 20], cells)])]), "r.pdf")
    (table,) = doc.tables
    assert _rows(table) == [["自然人", "法人或其他组织"], ["商业企业", "其他"], ["3", "4", "5"]]
    assert "自然人\t法人或其他组织" in doc.text.split("\n")


def test_running_header_and_footer_are_dropped() -> None:
    pages = [
        Page([Text(200, 20, "淮安市人民政府办公室文件", 10), Text(72, 72 + 30 * n, f"第{n}部分 正文"),
              Text(250, 805, f"第 {n} 页 共 4 页", 10)])
        for n in (1, 2, 3, 4)
    ]
    pages[0].items.append(Text(72, 300, "淮安市人民政府办公室文件"))  # the same words in the body stay
    doc = load_bytes(build_pdf(pages), "r.pdf")
    assert doc.text.split("\n") == ["第1部分 正文", "淮安市人民政府办公室文件", *(f"第{n}部分 正文" for n in (2, 3, 4))]


def test_text_printed_twice_for_bold_reads_once() -> None:
    pages = [Page([Text(72, 72, "一、总体情况"), Text(72.3, 72, "一、总体情况"), Text(72, 100, "全年收到申请5件。")])]
    assert load_bytes(build_pdf(pages), "r.pdf").text.split("\n") == ["一、总体情况", "全年收到申请5件。"]


def test_cell_lines_join_as_printed() -> None:
    from extractor.loading.pdf_page import cell_text

    def chars(*lines: str) -> list[dict]:
        return [
            {"text": ch, "x0": 10.0 + 10 * k, "x1": 19.0 + 10 * k, "top": 20.0 * n, "bottom": 20.0 * n + 9,
             "doctop": 20.0 * n, "upright": True, "size": 9.0}
            for n, line in enumerate(lines) for k, ch in enumerate(line)
        ]

    assert cell_text(chars("自", "然", "人")) == "自然人"
    assert cell_text(chars("(二)部分公开(区分处", "理的)")) == "(二)部分公开(区分处理的)"
    assert cell_text(chars("75394432", ".52")) == "75394432.52"  # a number wrapped in a narrow column
    assert cell_text(chars("Total", "number")) == "Total number"


@pytest.mark.parametrize("angle", [90, -90])
def test_label_turned_on_its_side_reads_in_order(angle: int) -> None:
    import pdf_support
    from reportlab.pdfgen import canvas

    pdf_support._register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for x0, y0, x1, y1 in [(100, 500, 300, 500), (100, 600, 300, 600), (100, 500, 100, 600), (150, 500, 150, 600),
                           (300, 500, 300, 600), (150, 550, 300, 550)]:
        c.line(x0, y0, x1, y1)
    c.setFont(pdf_support.FONT, 10)
    c.saveState()
    c.translate(130, 510) if angle == 90 else c.translate(120, 590)
    c.rotate(angle)
    c.drawString(0, 0, "本年度办理结果")
    c.restoreState()
    c.drawString(160, 570, "(一)予以公开")
    c.drawString(160, 520, "(二)部分公开")
    c.showPage()
    c.save()
    (table,) = load_bytes(buf.getvalue(), "r.pdf").tables
    assert _rows(table) == [["本年度办理结果", "(一)予以公开"], ["(二)部分公开"]]


def test_footer_printed_inside_a_table_is_not_a_cell() -> None:
    cells = [Cell(0, 0, "规章"), Cell(0, 1, "1"), Cell(1, 0, "行政规范性文件"), Cell(1, 1, "2"),
             Cell(2, 0, "", colspan=2)]
    page = Page([Text(72, 60, "第 3 页", 10), Grid(72, 40, [150, 100], [660, 100, 41], cells), footer(3, "— {} —")])
    doc = load_bytes(build_pdf([page]), "r.pdf")
    (table,) = doc.tables
    assert _rows(table)[:2] == [["规章", "1"], ["行政规范性文件", "2"]]
    assert not any("3" in c.text for row in table.rows for c in row)
    assert "3" not in doc.text


# --- tables without rules -----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["no rules", "three-line"])
def test_table_without_ruling_lines_found_by_alignment(style: str) -> None:
    rows = [["信息内容", "制发", "废止", "有效"], ["规章", "0", "3", "11"], ["行政规范性文件", "8", "26", "66"],
            ["行政许可", "447228", "", "5"]]
    cells = [Cell(r, c, t) for r, row in enumerate(rows) for c, t in enumerate(row)]
    prose = ["二、主动公开政府信息情况", "本机关全年主动公开政府信息1136条,其中规章0件、规范性文件8件。",
             "严格执行“三审三校”制度,未经审核的信息一律不准发布,确保公开信息及时准确规范。"]
    items: list[Text | Grid] = [Text(72, 60 + 24 * k, line) for k, line in enumerate(prose)]
    items.append(Grid(72, 150, [160, 90, 90, 90], [20] * 4, cells, ruled=False, three_line=style == "three-line"))
    items.append(Text(72, 260, "三、收到和处理政府信息公开申请情况"))
    doc = load_bytes(build_pdf([Page(items)]), "r.pdf")
    (table,) = doc.tables
    assert _rows(table) == [row if row[2] else [row[0], row[1], row[3]] for row in rows]
    assert [c.col for c in table.rows[3]] == [0, 1, 3]
    assert doc.text.split("\n")[:3] == prose  # prose stays prose
    assert doc.text.split("\n")[-1] == "三、收到和处理政府信息公开申请情况"
    _assert_grid_in_text(doc)


# --- damage, scans, limits ----------------------------------------------------------------------------


def _three_pages(compress: bool = False) -> bytes:
    return build_pdf([Page([Text(72, 72, f"第{n}部分 一、总体情况")]) for n in (1, 2, 3)], compress=compress)


def test_damaged_page_is_skipped_with_a_note_and_the_rest_read() -> None:
    data = _three_pages()
    mediabox = b"/MediaBox [ 0 0 595.2756 841.8898 ]"
    second = data.index(mediabox, data.index(mediabox) + 1)
    broken = data[:second] + b"/MediaBox [ 0 0 595.2756 /Broken8 ]" + data[second + len(mediabox) :]
    doc = load_bytes(broken, "r.pdf")
    assert doc.text.split("\n") == ["第1部分 一、总体情况", "第3部分 一、总体情况"]
    assert doc.pages == 3
    assert doc.problems == ["PDF page 2 could not be read (TypeError); it was skipped"]


def test_damaged_page_note_reaches_the_record(tmp_path: Path) -> None:
    from extractor.pipeline import extract_path

    data = (report_path("huaian-hongze-2023-pdf")).read_bytes()
    mediabox = b"/MediaBox"
    at = data.index(mediabox, data.index(mediabox) + 1)  # some page object's own box
    end = data.index(b"]", at)
    broken = data[:at] + b"/MediaBox[0 0 /x /y" + b" " * (end - at - 19) + data[end:]
    path = tmp_path / "r.pdf"
    path.write_bytes(broken)
    extraction = extract_path(path)
    assert any("could not be read" in p and "skipped" in p for p in extraction.problems)
    assert extraction.record.meta.year == 2023


def test_scanned_page_among_text_pages_is_noted() -> None:
    import pdf_support
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf_support._register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(pdf_support.FONT, 12)
    c.drawString(72, 700, "一、总体情况")
    c.showPage()
    image = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(image, format="PNG")
    c.drawImage(ImageReader(io.BytesIO(image.getvalue())), 72, 300, 300, 400)  # a page that is only a picture
    c.showPage()
    c.save()
    doc = load_bytes(buf.getvalue(), "r.pdf")
    assert doc.text == "一、总体情况"
    (note,) = doc.problems
    assert note.startswith("PDF page 2 has no text layer, only an image (scanned?)") and "OCR" in note


def test_pdf_of_page_images_only_is_refused_with_the_ocr_hint() -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(2):
        image = io.BytesIO()
        Image.new("RGB", (60, 80), "white").save(image, format="PNG")
        c.drawImage(ImageReader(io.BytesIO(image.getvalue())), 72, 300, 300, 400)
        c.showPage()
    c.save()
    with pytest.raises(InputError, match="no text layer.*OCR"):
        load_bytes(buf.getvalue(), "scan.pdf")


def test_no_page_readable_is_refused() -> None:
    data = _three_pages()
    broken = data.replace(b"/MediaBox [ 0 0 595.2756 841.8898 ]", b"/MediaBox [ 0 0 595.2756 /Broken8 ]")
    with pytest.raises(InputError, match="not a readable PDF"):
        load_bytes(broken, "r.pdf")


def test_big_pdf_is_read_page_by_page_in_bounded_memory(tmp_path: Path) -> None:
    """300 pages: memory grows with the text and grids kept, not with the pages parsed.

    Measured here: holding pdfplumber's 300 parsed pages costs ~225 MB more than
    the interpreter; loading them page by page ~30 MB (the Document's text,
    offsets and boxes), and 30 pages ~2 MB.
    """
    script = Path(__file__).with_name("pdf_memory_probe.py")
    out = subprocess.run(
        [sys.executable, str(script), "300", str(tmp_path / "big.pdf")],
        check=True, capture_output=True, text=True, timeout=900,
    )
    probe = json.loads(out.stdout)
    assert probe["pages"] == 300 and probe["tables"] == 300 and probe["problems"] == []
    assert probe["rss_peak_mb"] - probe["rss_before_mb"] < 80, probe


# --- fonts pdfminer cannot map ------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (CI installs it)")
@pytest.mark.parametrize("report_id", ["pingtan-zone-2019-html", "pingtan-zone-2025"])
def test_pdf_printed_by_chromium_reads_like_its_html(tmp_path: Path, report_id: str) -> None:
    """Chromium cuts the tables over pages in its own way (label columns split differently on each side)."""
    from extractor.pipeline import extract_document

    html = report_path(report_id)
    pdf = tmp_path / "printed.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", html.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    import pdfplumber

    with pdfplumber.open(pdf) as plumbed:
        unmapped = any(c["text"].startswith("(cid:") for page in plumbed.pages for c in page.chars)
    doc = load(pdf)
    assert "(cid:" not in doc.text
    assert any("pdfium" in p for p in doc.problems) == unmapped  # (without CJK fonts Chromium maps no glyph)
    assert "政府信息公开工作年度报告" in doc.text and "二、主动公开政府信息情况" in doc.text
    printed = extract_document(doc).record
    original = extract_document(load(html)).record
    assert printed.meta.year == original.meta.year
    assert original.applications and original.review_litigation and original.active_disclosure
    assert printed.applications == original.applications
    assert printed.review_litigation == original.review_litigation
    assert printed.active_disclosure == original.active_disclosure
    assert len(doc.tables) == 3  # 二, 三, 四: each one grid however many pages it runs over


# --- the eval set's PDFs ------------------------------------------------------------------------------

PDF_REPORTS = ["huaian-hongze-2023-pdf", "huaian-hongze-2024-pdf", "huaian-city-2024-pdf"]


@pytest.mark.parametrize("report_id", PDF_REPORTS)
def test_eval_pdf_tables_are_grids(report_id: str) -> None:
    doc = load(report_path(report_id))
    assert doc.problems == [] and doc.pages in (5, 6)
    assert len(doc.tables) == 3  # 二 and 三 each continued over a page break, 四
    active, applications, review = doc.tables
    assert len(active.pages) == 2 and len(applications.pages) == 2
    assert _rows(active)[0] == ["第二十条第(一)项"]
    assert _rows(applications)[1] == ["自然人", "法人或其他组织", "总计"]
    label = _cell(applications, "三、本年度办理结果")  # printed one character per line, cut by the page break
    assert (label.row, label.col) == (5, 0) and label.row + label.rowspan == len(applications.rows) - 1
    assert _rows(applications)[-1][0] == "四、结转下年度继续办理" and len(_rows(applications)[-1]) == 8
    assert [c.col for c in review.rows[-1]] == list(range(15))
    assert not any("- " in c.text for t in doc.tables for r in t.rows for c in r)
    _assert_grid_in_text(doc)
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                assert cell.box is not None and cell.box.page in table.pages
                assert doc.to_boxes(cell.span)[:1] == ([cell.box] if cell.text else [])


def test_evidence_of_a_pdf_value_names_its_page_and_cell() -> None:
    from extractor.pipeline import extract_path

    path = report_path("huaian-hongze-2023-pdf")
    extraction = extract_path(path)
    doc = load(path)
    ev = extraction.evidence["review_litigation.review.upheld"]
    assert ev.value == 10 and ev.span is not None
    (cell,) = [c for row in doc.tables[2].rows for c in row if c.span.start <= ev.span.start < c.span.end]
    assert ev.boxes == [cell.box] and cell.box is not None and cell.box.page == 4
    assert all(e.boxes for e in extraction.evidence.values() if e.span is not None)
    again = type(extraction).from_json_dict(json.loads(json.dumps(extraction.to_json_dict())))
    assert again.evidence["review_litigation.review.upheld"].boxes == ev.boxes


@pytest.mark.parametrize("report_id", PDF_REPORTS)
def test_eval_pdf_gives_the_record_of_its_text_twin(report_id: str) -> None:
    """Meta, sections and claims as from pdftotext's text; every table cell as the gold says."""
    from evalset import gold_record

    from extractor.pipeline import extract_path
    from extractor.record import flatten

    pdf = extract_path(report_path(report_id)).record
    twin = extract_path(report_path(report_id.removesuffix("-pdf"))).record
    assert pdf.meta == twin.meta and pdf.sections == twin.sections and pdf.claims == twin.claims
    expected = {k: v for k, v in flatten(gold_record(report_id)).items() if not k.startswith("meta.")}
    got = flatten(pdf)
    assert {k: got.get(k) for k in expected} == expected
