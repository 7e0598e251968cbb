"""Speed and memory of OCR: seconds per page and peak memory, reading image-only twins of the eval PDFs.

    python benchmarks/bench_ocr.py [--pages 4] [--jobs 1 2]

Each run is a fresh process (so its peak memory is its own) that loads an
image-only PDF built from the first ``--pages`` pages of the eval set's
original PDFs (``tests/ocr_twins.py``), with the OCR cache off, then once more
with a warm cache (a rerun of a batch: no recognition at all). Needs the
``ocr`` extra.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

_CHILD = """
import json, resource, sys, time
from extractor.loading import load
from extractor.ocr import OcrSettings, ocr_settings
path, jobs, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
started = time.perf_counter()
with ocr_settings(OcrSettings(jobs=jobs, cache=cache)):
    doc = load(path)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "pages": len(doc.ocr_pages),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _twin(pages: int, out: Path) -> Path:
    """An image-only PDF of the first ``pages`` pages taken in turn from the eval set's original PDFs."""
    import pypdfium2 as pdfium
    from ocr_twins import TWIN_DPI, pdf_originals

    images = []
    docs = [pdfium.PdfDocument(str(p)) for p in pdf_originals()]
    try:
        k = 0
        while len(images) < pages and k < max(len(d) for d in docs):
            for d in docs:
                if k < len(d) and len(images) < pages:
                    images.append(d[k].render(scale=TWIN_DPI / 72).to_pil().convert("RGB"))
            k += 1
    finally:
        for d in docs:
            d.close()
    images[0].save(out, save_all=True, append_images=images[1:], resolution=float(TWIN_DPI))
    return out


def _run(pdf: Path, jobs: int, cache: bool, cache_dir: Path) -> dict[str, float]:
    env = {**os.environ, "EXTRACTOR_OCR_CACHE": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(pdf), str(jobs), "1" if cache else "0"],
        capture_output=True, text=True, check=True, env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="pages in the scanned PDF (default 4)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="page threads to try (default: 1 2)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = _twin(args.pages, Path(tmp) / "scan.pdf")
        cache_dir = Path(tmp) / "cache"
        for jobs in args.jobs:
            r = _run(pdf, jobs, cache=False, cache_dir=cache_dir)
            print(
                f"--jobs {jobs}: {r['pages']} pages in {r['seconds']:.1f} s = {r['seconds'] / r['pages']:.2f} s/page, "
                f"peak memory {r['peak_mb']:.0f} MB"
            )
        _run(pdf, 1, cache=True, cache_dir=cache_dir)  # fill the cache
        r = _run(pdf, 1, cache=True, cache_dir=cache_dir)
        print(
            f"rerun with the cache: {r['pages']} pages in {r['seconds']:.1f} s = {r['seconds'] / r['pages']:.2f} s/page "
            f"(render + hash + layout, no recognition), peak memory {r['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
