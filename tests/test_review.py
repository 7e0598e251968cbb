"""The review page, driven in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from extractor.document import Span
from extractor.loading import load_bytes
from extractor.pipeline import extract_document
from extractor.readings import Evidence, Extraction, Finding
from extractor.record import ApplicantCounts, Record
from extractor.review import render_review

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "eval" / "reports" / "hebei-jyt-2019.txt"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: chromium is missing (.ci/run installs it with apt-get)")
        pytest.skip("no chromium installed (apt-get install chromium) — the browser test needs a real browser")
    return path


def _handmade() -> tuple[str, Extraction]:
    text = "一、本年新收申请数量 5 件，其中自然人 3 件。空白单元格不是零。"
    record = Record(applications={"new_received": ApplicantCounts(natural_person=3, total=5, commercial=None)})
    evidence = {
        "applications.new_received.total": Evidence(value=5, span=Span(start=text.index("5"), end=text.index("5") + 1)),
        "applications.new_received.natural_person": Evidence(value=3, span=Span(start=text.index("3"), end=text.index("3") + 1), source="conflicted"),
    }
    finding = Finding(rule="row_sum", where="表三 一、本年新收", stated=5, computed=3, paths=["applications.new_received.total"], evidence=[evidence["applications.new_received.total"].span])
    return text, Extraction(record=record, evidence=evidence, findings=[finding])


def test_page_is_self_contained_and_marks_every_span():
    text, extraction = _handmade()
    doc = load_bytes(text.encode("utf-8"), "r.txt")
    page = render_review(doc, extraction)
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page), "the page must not load external assets"
    assert page.count('data-jump="ev-') >= 2
    assert 'class="null src-reader"' in page  # the blank commercial cell shows as blank, not 0
    assert "row_sum" in page and "stated 5, computed 3" in page


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


def test_review_page_in_browser_links_cells_to_evidence(browser, tmp_path):
    doc = load_bytes(REPORT.read_bytes(), str(REPORT))
    extraction = extract_document(doc)
    page_path = tmp_path / "review.html"
    page_path.write_text(render_review(doc, extraction), encoding="utf-8")

    page = browser.new_page()
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto(page_path.as_uri())

    # Every value with a span is highlighted in the source text, and the mark holds the value's digits.
    spans = {p: ev for p, ev in extraction.evidence.items() if ev.span is not None and ev.value is not None}
    assert spans, "the reader gave no evidence spans"
    marks = page.locator("#source mark[data-ev]")
    assert marks.count() >= 1
    links = page.locator("#data td[data-ev] a[data-jump]")
    assert links.count() >= len([p for p in spans if not p.startswith("claims")]) * 0.9

    # Click the cell of table 三 一、本年新收 总计 and land on its evidence.
    path = "applications.new_received.total"
    assert path in spans
    cell = page.locator(f'td[data-path="{path}"] a')
    target = cell.get_attribute("data-jump")
    cell.click()
    flashed = page.locator(f"mark#{target}")
    assert "flash" in (flashed.get_attribute("class") or "")
    assert str(spans[path].value) in flashed.inner_text()
    assert flashed.evaluate("el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }")

    # And back: clicking the mark selects the cell it fills.
    flashed.click()
    assert "selected" in (page.locator(f'td[data-ev="{target}"]').get_attribute("class") or "")
    page.close()


PDF_REPORT = ROOT / "eval" / "reports" / "huaian-city-2024-pdf.pdf"


def test_review_page_of_a_pdf_opens_the_page_with_the_cell_box(browser, tmp_path):
    doc = load_bytes(PDF_REPORT.read_bytes(), PDF_REPORT.name)
    extraction = extract_document(doc)
    path = "applications.new_received.total"
    ev = extraction.evidence[path]
    (box,) = doc.to_boxes(ev.span)  # the table cell the value was read from, on its page
    assert box.page == 4 and ev.value == 3119
    page_path = tmp_path / "review.html"
    page_path.write_text(render_review(doc, extraction, pdf=PDF_REPORT.read_bytes()), encoding="utf-8")
    assert 'src="data:image/png;base64,' in page_path.read_text(encoding="utf-8")

    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto(page_path.as_uri())
    assert page.locator("#pages .box.on").count() == 0
    page.locator(f'td[data-path="{path}"] a').click()

    shown = page.locator("#pages .box.on")
    assert shown.count() == 1 and shown.get_attribute("data-page") == "4"
    image = page.locator("#page-4 img")
    img, mark = image.bounding_box(), shown.bounding_box()
    assert img and mark and mark["width"] > 5 and mark["height"] > 5
    # where the box sits on the page image is where the cell is printed (fractions of the page)
    width, height = 595.32, 841.92
    assert abs((mark["x"] - img["x"]) / img["width"] - box.x0 / width) < 0.01
    assert abs((mark["y"] - img["y"]) / img["height"] - box.top / height) < 0.01
    assert shown.evaluate("el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }")
    page.close()


def test_review_of_a_pdf_without_its_file_has_no_pages():
    doc = load_bytes(PDF_REPORT.read_bytes(), PDF_REPORT.name)  # no path, no bytes given: nothing to render
    page = render_review(doc, extract_document(doc))
    assert 'id="pages"' not in page and "data:image/png" not in page
