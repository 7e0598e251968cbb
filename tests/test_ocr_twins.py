"""Image-only twins of the three original-PDF eval reports, scored against the same gold.

Each ``-pdf`` eval report is rendered page by page to images and rebuilt as a
PDF with no text layer (``ocr_twins.make_twin``, at test time); the scan is
read by OCR and scored like any eval report. Targets: at least 98% of table
cells right, and no wrong number that passes every identity (a misread must
show as a blank or as a finding, never silently).

Recognising 16 pages takes a few minutes on two cores; the pages' OCR is
cached in pytest's cache directory, so a rerun takes seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_twins import pdf_originals, make_twin

from extractor import ocr

pytestmark = pytest.mark.skipif(not ocr.available(), reason="needs the ocr extra: pip install 'extractor[ocr]'")

ORIGINALS = pdf_originals()


def test_the_eval_set_has_its_three_original_pdfs() -> None:
    assert [p.stem for p in ORIGINALS] == ["huaian-city-2024-pdf", "huaian-hongze-2023-pdf", "huaian-hongze-2024-pdf"]


def test_image_only_twins_against_the_pdf_gold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from evalset import gold_record

    from extractor.evaluation.scoring import Case, score_case
    from extractor.loading import load
    from extractor.pipeline import extract_document

    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(request.config.cache.mkdir("ocr")))
    correct = total = 0
    silent: list[str] = []
    for original in ORIGINALS:
        twin = make_twin(original, tmp_path / f"{original.stem}-scan.pdf")
        with ocr.ocr_settings(ocr.OcrSettings(jobs=2)):
            doc = load(twin)
        assert doc.ocr_pages == list(range(1, (doc.pages or 0) + 1)) and doc.pages
        extraction = extract_document(doc)
        report = score_case(Case(id=original.stem, gold=gold_record(original.stem), predicted=extraction.record,
                                 evidence=extraction.evidence))
        correct += report.cells.correct
        total += report.cells.total
        flagged = {p for f in extraction.findings if f.status == "fail" for p in f.paths}
        silent += [f"{original.stem} {w.key}: gold {w.gold}, read {w.got}"
                   for w in report.wrong_cells if w.got is not None and w.key not in flagged]
    assert total > 500
    assert correct / total >= 0.98, f"{correct}/{total} table cells right"
    assert silent == []
