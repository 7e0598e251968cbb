"""Accuracy of OCR on image-only twins of the eval set's original PDFs, clean or degraded like real scans.

    python benchmarks/eval_ocr_twins.py [--dpi 200] [--tilt 0.8] [--jpeg 60] [--jobs 2]

Builds each twin (``tests/ocr_twins.py``), reads it through the whole
pipeline, and scores it against the original's gold: table cells right, and
wrong numbers split into those a failing identity exposes (a finding) and
those that pass every identity (silent: the target is none). The test
``tests/test_ocr_twins.py`` asserts the clean case.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from ocr_twins import TWIN_DPI, make_twin, pdf_originals

    from extractor.evaluation.runner import load_eval_set
    from extractor.evaluation.scoring import Case, score_case
    from extractor.loading import load
    from extractor.ocr import OcrSettings, ocr_settings
    from extractor.pipeline import extract_document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=TWIN_DPI)
    parser.add_argument("--tilt", type=float, default=0.0, help="degrees each page is turned")
    parser.add_argument("--jpeg", type=int, default=None, help="store pages as grey JPEG of this quality")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    gold = load_eval_set(ROOT / "eval").gold
    print(f"twins: {args.dpi} dpi, tilt {args.tilt}°, " + (f"grey JPEG q{args.jpeg}" if args.jpeg else "lossless RGB"))
    correct = total = exposed = silent = blank = 0
    with tempfile.TemporaryDirectory() as tmp:
        for original in pdf_originals():
            twin = make_twin(original, Path(tmp) / f"{original.stem}.pdf", args.dpi, args.tilt, args.jpeg)
            started = time.perf_counter()
            with ocr_settings(OcrSettings(jobs=args.jobs)):
                doc = load(twin)
            extraction = extract_document(doc)
            seconds = time.perf_counter() - started
            report = score_case(Case(id=original.stem, gold=gold[original.stem], predicted=extraction.record,
                                     evidence=extraction.evidence))
            flagged = {p for f in extraction.findings if f.status == "fail" for p in f.paths}
            wrong = [w for w in report.wrong_cells if w.got is not None]
            print(f"{original.stem}: {report.cells.correct}/{report.cells.total} cells right, "
                  f"{len(doc.ocr_pages)} pages in {seconds:.0f} s")
            for w in report.wrong_cells:
                how = "blank" if w.got is None else ("finding" if w.key in flagged else "SILENT")
                print(f"    {how}: {w.key} gold {w.gold} read {w.got}")
            correct += report.cells.correct
            total += report.cells.total
            blank += sum(w.got is None for w in report.wrong_cells)
            exposed += sum(w.key in flagged for w in wrong)
            silent += sum(w.key not in flagged for w in wrong)
    print(f"all: {correct}/{total} = {100 * correct / total:.1f}% cells right; wrong: {blank} blank, "
          f"{exposed} exposed by a finding, {silent} silent")


if __name__ == "__main__":
    main()
