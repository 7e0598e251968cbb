"""OCR of scanned reports: the refusal without the extra, page geometry to grids, cache, confidence.

Most tests here need no OCR engine: they feed recognised words and ruling
lines (``PageScan``) to the layout, or a fake recogniser to the page runner.
Those that recognise real pages skip, with the reason, when the ``ocr`` extra
is not installed (``tests/test_ocr_twins.py`` scores whole scanned reports).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from extractor import ocr
from extractor.document import Box, Document, SourceBox, Span, Table, TableCell
from extractor.errors import InputError
from extractor.loading import load_bytes
from extractor.ocr import engine as ocr_engine
from extractor.ocr.cache import OcrCache
from extractor.ocr.confidence import DOUBTFUL, guard_doubtful, ocr_share
from extractor.ocr.models import PageScan, Segment, Word
from extractor.ocr.render import PageImage
from extractor.readings import Evidence
from extractor.record import Record

NEEDS_OCR = pytest.mark.skipif(not ocr.available(), reason="needs the ocr extra: pip install 'extractor[ocr]'")
INSTALL = "pip install 'extractor[ocr]'"


def _scanned_pdf(text: str | None = None) -> bytes:
    """A PDF whose only page is an image (optionally of ``text``, drawn large), no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (800, 300), "white")
    if text:
        ImageDraw.Draw(img).text((40, 120), text, fill="black", font_size=48)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(400, 150))
    c.drawImage(ImageReader(img), 0, 0, 400, 150)
    c.showPage()
    c.save()
    return buf.getvalue()


# ------------------------------------------------------------------ without the extra


def test_without_the_extra_a_scan_gets_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_engine, "available", lambda: False)
    monkeypatch.setattr(ocr, "available", lambda: False)
    for data, name in ((_scanned_pdf(), "scan.pdf"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "page.png")):
        with pytest.raises(InputError) as err:
            load_bytes(data, name)
        message = str(err.value)
        assert INSTALL in message and name in message and "\n" not in message
        assert err.value.exit_code == 3


def test_cli_without_the_extra_exits_3_with_one_line(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_scanned_pdf())
    # the package made unimportable, as when the extra was never installed
    code = (
        "import sys; sys.modules['rapidocr_onnxruntime'] = None; sys.argv = ['extractor', 'extract', sys.argv[1]]; "
        "from extractor.cli import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code, str(scan)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and INSTALL in lines[0] and "Traceback" not in done.stderr


# ------------------------------------------------------------------ geometry -> grid (no engine needed)


def _w(text: str, x0: float, top: float, x1: float | None = None, conf: float = 0.99) -> Word:
    return Word(text=text, confidence=conf, x0=x0, top=top, x1=x1 if x1 is not None else x0 + 10 * len(text), bottom=top + 10)


def _ruled_scan() -> PageScan:
    """A title, then a 3-row table: a header cell spanning two columns, a label cell spanning two rows."""
    hs = [Segment(at=y, start=50, end=350) for y in (100, 130, 190)]
    hs.append(Segment(at=160, start=150, end=350))  # no rule under the label cell: it spans rows 2-3
    vs = [Segment(at=x, start=100, end=190) for x in (50, 150, 350)]
    vs.append(Segment(at=250, start=130, end=190))  # no rule in the header row: its cell spans two columns
    words = [
        _w("一、总体情况", 60, 60),
        _w("项目", 60, 110), _w("数量", 160, 110),
        _w("申请", 60, 150), _w("12", 160, 140, conf=0.97), _w("0", 260, 140, conf=0.7),
        _w("3", 160, 170), _w("4", 260, 170),
        _w("-1-", 190, 460),
    ]
    return PageScan(width=400, height=500, words=words, horizontal=hs, vertical=vs)


def _doc_of(pages: list[PageScan]) -> Document:
    """What the loader builds from OCR'd pages (the same code path, minus the recogniser)."""
    from extractor.loading.pdf import _assemble
    from extractor.ocr.pages import to_pdf_page

    loaded = _assemble([to_pdf_page(i + 1, scan) for i, scan in enumerate(pages)], len(pages), [], [1])
    return Document(format="pdf", sha256="x", source=loaded.source, text=loaded.text, offsets=loaded.offsets,
                    tables=loaded.tables, boxes=loaded.boxes, ocr_pages=loaded.ocr_pages)


def test_ruling_lines_make_the_grid_with_merged_cells() -> None:
    doc = _doc_of([_ruled_scan()])
    assert doc.text.splitlines() == ["一、总体情况", "项目\t数量", "申请\t12\t0", "3\t4"]  # the page number is dropped
    (table,) = doc.tables
    header, first, second = table.rows
    assert [(c.text, c.row, c.col, c.colspan, c.rowspan) for c in header] == [("项目", 0, 0, 1, 1), ("数量", 0, 1, 2, 1)]
    assert [(c.text, c.col, c.rowspan) for c in first] == [("申请", 0, 2), ("12", 1, 1), ("0", 2, 1)]
    assert [(c.text, c.row, c.col) for c in second] == [("3", 2, 1), ("4", 2, 2)]
    cell = first[2]
    assert cell.span.slice(doc.text) == "0" and cell.confidence == 0.7
    assert cell.box == Box(page=1, x0=250, top=130, x1=350, bottom=160) and cell.origin == "ocr page 1"
    assert table.pages == [1] and table.span.slice(doc.text).startswith("项目")
    # every line and cell maps back to its page box, with the recogniser's confidence
    first = doc.boxes[0]
    assert (doc.source[first.start : first.end], first.box.page, first.box.top, first.confidence) == ("一、总体情况", 1, 60, 0.99)
    assert doc.to_boxes(cell.span) == [cell.box] and all(b.confidence is not None for b in doc.boxes)


def test_without_rules_columns_come_from_alignment() -> None:
    words = [_w("正文一行", 50, 40)]
    for r, y in enumerate((100, 120, 140)):
        words += [_w(f"行{r}", 50, y), _w(str(r), 200, y), _w(str(10 * r), 300, y), _w(str(r + 5), 400, y)]
    doc = _doc_of([PageScan(width=500, height=300, words=words)])
    assert doc.text.splitlines() == ["正文一行", "行0\t0\t0\t5", "行1\t1\t10\t6", "行2\t2\t20\t7"]
    (table,) = doc.tables
    assert [c.col for c in table.rows[1]] == [0, 1, 2, 3] and all(c.box is not None for c in table.rows[1])


def test_a_table_continued_on_the_next_page_is_one_table() -> None:
    first = _ruled_scan()
    xs = [50, 150, 250, 350]
    cont = PageScan(
        width=400, height=500,
        words=[_w("退回", 60, 60), _w("5", 160, 60), _w("6", 260, 60), _w("二、下一节标题", 60, 200)],
        horizontal=[Segment(at=y, start=50, end=350) for y in (50, 80)],
        vertical=[Segment(at=x, start=50, end=80) for x in xs],
    )
    doc = _doc_of([first, cont])
    assert len(doc.tables) == 1
    (table,) = doc.tables
    assert table.pages == [1, 2]
    assert [c.text for c in table.rows[-1]] == ["退回", "5", "6"] and table.rows[-1][0].row == 3
    assert table.rows[-1][1].box is not None and table.rows[-1][1].box.page == 2


# ------------------------------------------------------------------ pages in parallel, cached as JSON


def test_pages_are_cached_by_content_and_a_rerun_does_no_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    np = pytest.importorskip("numpy", reason="needs the ocr extra: pip install 'extractor[ocr]'")

    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(tmp_path))
    calls: list[int] = []

    def fake_scan(pixels, scale: float, min_line: int) -> PageScan:  # noqa: ANN001
        calls.append(int(pixels[0, 0, 0]))
        return PageScan(width=100, height=100, words=[_w(f"正文{int(pixels[0, 0, 0])}", 10, 40)])

    monkeypatch.setattr(ocr, "scan_image", fake_scan)
    images = [
        (lambda i=i: PageImage(page=i + 1, pixels=np.full((40, 40, 3), i, dtype=np.uint8), scale=1.0, min_line=20))
        for i in range(3)
    ]
    progress: list[tuple[int, int]] = []
    with ocr.ocr_settings(ocr.OcrSettings(jobs=2, on_page=lambda d, t: progress.append((d, t)))):
        pages = ocr._scan_all(images)
    assert sorted(calls) == [0, 1, 2] and progress[-1] == (3, 3)
    assert [p.blocks[0].text for p in pages] == ["正文0", "正文1", "正文2"]  # type: ignore[union-attr]
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 3 and all(f.read_text(encoding="utf-8").startswith("{") for f in files)
    calls.clear()
    with ocr.ocr_settings(ocr.OcrSettings(jobs=2)):
        again = ocr._scan_all(images)
    assert calls == [] and [p.blocks[0].text for p in again] == ["正文0", "正文1", "正文2"]  # type: ignore[union-attr]
    # a damaged entry is read again, not trusted
    files[0].write_text("{not json", encoding="utf-8")
    with ocr.ocr_settings(ocr.OcrSettings(jobs=1)):
        ocr._scan_all(images)
    assert len(calls) == 1


def test_cache_entries_round_trip(tmp_path: Path) -> None:
    cache = OcrCache(tmp_path)
    scan = _ruled_scan()
    cache.put("ab" * 32, scan)
    assert cache.get("ab" * 32) == scan and cache.get("cd" * 32) is None


# ------------------------------------------------------------------ confidence


def _scanned_table3(values: dict[str, tuple[int, float]]) -> tuple[Document, Record, dict[str, Evidence]]:
    """A document whose OCR'd cells hold ``values`` (path -> (value, confidence)) and the record read from it."""
    cells, evidence, pos, text = [], {}, 0, ""
    record = Record.model_validate({"meta": {"layout": "2021"}, "applications": {}})
    assert record.applications is not None
    from extractor.record import ApplicantCounts

    for path, (value, conf) in values.items():
        s = str(value)
        span = Span(start=pos, end=pos + len(s))
        text += s + "\t"
        pos += len(s) + 1
        cells.append(TableCell(text=s, span=span, col=len(cells), box=Box(page=1, x0=0, top=0, x1=1, bottom=1), confidence=conf))
        evidence[path] = Evidence(value=value, span=span)
        _, row, col = path.split(".")
        counts = record.applications.setdefault(row, ApplicantCounts())
        setattr(counts, col, value)
    boxes = [SourceBox(start=c.span.start, end=c.span.end, box=c.box, confidence=c.confidence) for c in cells]
    table = Table(rows=[cells], span=Span(start=0, end=len(text)), pages=[1])
    doc = Document(format="pdf", sha256="x", source=text, text=text, offsets=list(range(len(text) + 1)),
                   tables=[table], boxes=boxes, ocr_pages=[1])
    return doc, record, evidence


def _row(conf_of_research: float, research: int) -> dict[str, tuple[int, float]]:
    row = {"natural_person": 5, "commercial": 1, "research": research, "social_welfare": 0, "legal_service": 0, "other_org": 0, "total": 6}
    return {f"applications.granted.{k}": (v, conf_of_research if k == "research" else 0.99) for k, v in row.items()}


def test_a_doubtful_digit_that_breaks_an_identity_is_left_blank() -> None:
    doc, record, evidence = _scanned_table3(_row(0.62, 8))  # 5+1+8 != 6: the 8 (a misread 0) is doubtful
    record2, evidence2, problems = guard_doubtful(doc, record, evidence)
    assert record2.applications["granted"].research is None  # type: ignore[index]
    assert record2.applications["granted"].natural_person == 5  # type: ignore[index]
    assert record.applications["granted"].research == 8  # type: ignore[index]  (the input is not changed)
    assert len(problems) == 1 and "applications.granted.research" in problems[0] and "0.62" in problems[0]
    assert evidence2["applications.granted.research"].value is None


def test_a_sure_digit_or_a_holding_identity_is_kept() -> None:
    doc, record, evidence = _scanned_table3(_row(0.99, 8))  # sure reading: the identity fails and check reports it
    assert guard_doubtful(doc, record, evidence)[2] == []
    doc, record, evidence = _scanned_table3(_row(0.5, 0))  # doubtful but consistent: kept, and said so
    record2, _, problems = guard_doubtful(doc, record, evidence)
    assert record2.applications["granted"].research == 0  # type: ignore[index]
    assert problems == ["applications.granted.research: OCR read 0 with confidence 0.50; kept (no identity it takes part in fails)"]
    share = ocr_share(doc, record, evidence)
    assert (share.values, share.total_values, share.doubtful, share.lowest) == (7, 7, 1, 0.5)
    assert "7 of 7 table values came from OCR" in share.describe() and f"below {DOUBTFUL}" in share.describe()


# ------------------------------------------------------------------ the real recogniser


@NEEDS_OCR
def test_a_scanned_page_is_read_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(tmp_path))
    doc = load_bytes(_scanned_pdf("Report 2023: 1136"), "scan.pdf")
    assert "1136" in doc.text and doc.ocr_pages == [1] and doc.boxes
    assert all(b.confidence is not None and 0 < b.confidence <= 1 and b.box.page == 1 for b in doc.boxes)
    assert not any(b.box.x1 > 400 or b.box.bottom > 150 for b in doc.boxes)  # PDF points, not pixels


@NEEDS_OCR
def test_an_image_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image, ImageDraw

    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(tmp_path))
    img = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(img).text((40, 70), "Total 2024: 3050", fill="black", font_size=48)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    doc = load_bytes(buf.getvalue(), "page.png")
    assert doc.format == "image" and "3050" in doc.text
    with pytest.raises(InputError, match="not a readable image"):
        load_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png")


def test_a_table_cut_by_the_page_edge_keeps_its_last_row() -> None:
    """No closing rule at the foot of the page: the column rules running past the last row rule close it."""
    scan = _ruled_scan()
    scan = scan.model_copy(update={
        "horizontal": [s for s in scan.horizontal if s.at != 190],
        "words": [w for w in scan.words if w.text != "-1-"],
    })
    doc = _doc_of([scan])
    (table,) = doc.tables
    assert [c.text for c in table.rows[-1]] == ["3", "4"] and table.rows[-1][0].box.bottom == 190  # type: ignore[union-attr]


def test_page_numbers_read_without_their_dashes_are_dropped() -> None:
    scan = _ruled_scan()
    words = [w for w in scan.words if w.text != "-1-"] + [_w("-3", 190, 470), _w("12", 190, 5), _w("3-", 60, 300)]
    doc = _doc_of([scan.model_copy(update={"words": words})])
    assert "-3" not in doc.text and "12" not in doc.text.splitlines()[0]
    assert "3-" in doc.text  # in the body of the page: not a page number


@pytest.mark.skipif(not ocr.available(), reason="needs the ocr extra (OpenCV): pip install 'extractor[ocr]'")
@pytest.mark.parametrize("angle", [0.0, 0.8, -1.5, 3.0])
def test_a_tilted_scan_is_straightened_by_its_rules(angle: float) -> None:
    import cv2
    import numpy as np

    from extractor.ocr.engine import deskew, ruling_lines, skew_angle

    page = np.full((900, 700, 3), 255, dtype=np.uint8)
    for y in range(200, 701, 50):
        cv2.line(page, (100, y), (600, y), (0, 0, 0), 2)
    for x in (100, 300, 450, 600):
        cv2.line(page, (x, 200), (x, 700), (0, 0, 0), 2)
    cv2.putText(page, "2023", (120, 240), cv2.FONT_HERSHEY_SIMPLEX, 1, (0, 0, 0), 2)
    tilted = cv2.warpAffine(page, cv2.getRotationMatrix2D((350, 450), angle, 1.0), (700, 900), borderValue=(255, 255, 255))
    assert skew_angle(tilted, 30) == pytest.approx(angle, abs=0.1)
    horizontal, vertical = ruling_lines(deskew(tilted, 30), 30)
    assert len(horizontal) == 11 and len(vertical) == 4
    assert all(s.end - s.start > 450 for s in horizontal)


@pytest.mark.skipif(not ocr.available(), reason="needs the ocr extra (OpenCV): pip install 'extractor[ocr]'")
def test_a_red_seal_is_taken_off_the_page() -> None:
    import cv2
    import numpy as np

    from extractor.ocr.engine import drop_red

    page = np.full((300, 300, 3), 255, dtype=np.uint8)
    cv2.putText(page, "2024", (40, 150), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 3)
    stamped = page.copy()
    cv2.circle(stamped, (150, 150), 100, (40, 40, 220), 6)  # BGR: a red ring over the text
    cleaned = drop_red(stamped)
    ring = np.zeros((300, 300), dtype=np.uint8)
    cv2.circle(ring, (150, 150), 100, 255, 6)
    assert (cleaned[ring == 0] == page[ring == 0]).all()  # the text is untouched outside the ring
    assert (cleaned[ring > 0] == 255).all()  # the ring is gone
    assert drop_red(page) is page


def test_a_word_run_across_narrow_columns_is_cut_at_the_rules() -> None:
    """Headers of narrow columns (结果/维持, 结果/纠正 …) that the detector read as one line are split by character."""
    scan = _ruled_scan()
    chars = [(160.0, 140.0, 168.0, 150.0), (170.0, 140.0, 178.0, 150.0), (260.0, 140.0, 268.0, 150.0),
             (270.0, 140.0, 278.0, 150.0)]
    wide = Word(text="1234", confidence=0.9, x0=160, top=140, x1=278, bottom=150, chars=chars)
    words = [w for w in scan.words if w.text not in ("12", "0")] + [wide]
    doc = _doc_of([scan.model_copy(update={"words": words})])
    assert doc.text.splitlines()[2] == "申请\t12\t34"
