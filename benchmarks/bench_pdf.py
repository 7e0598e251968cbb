"""PDF loading speed and memory: the eval set's PDFs, and a large synthetic PDF drawn with reportlab.

    python benchmarks/bench_pdf.py [--repeat 3] [--pages 300]

For each PDF in eval/reports/: pages, tables, the best of ``--repeat`` load
times (``extractor.loading.load``: text, grids, boxes), pages per second and
the peak of Python allocations while loading (tracemalloc, one extra run).
Then a ``--pages``-page synthetic report (text and a ruled table on every
page) loaded in a fresh process (``tests/pdf_memory_probe.py``): seconds,
pages per second and the process's peak resident memory over what it held
before loading; and, for comparison, what holding every parsed pdfplumber
page costs (``--keep``). Needs the test extras (reportlab).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from extractor.loading import load

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "pdf_memory_probe.py"


def eval_pdfs(repeat: int) -> None:
    print(f"{'report':34} {'pages':>5} {'tables':>6} {'best s':>7} {'pages/s':>8} {'peak MB':>8}")
    for path in sorted((ROOT / "eval" / "reports").glob("*.pdf")):
        times = []
        doc = None
        for _ in range(repeat):
            started = time.perf_counter()
            doc = load(path)
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        load(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert doc is not None and doc.pages
        best = min(times)
        print(f"{path.stem:34} {doc.pages:5d} {len(doc.tables):6d} {best:7.2f} {doc.pages / best:8.1f} {peak / 2**20:8.1f}")


def synthetic(pages: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        target = Path(tmp) / f"synthetic-{pages}.pdf"
        for keep in (False, True):
            args = [sys.executable, str(PROBE), str(pages), str(target)] + (["--keep"] if keep else [])
            result = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
            grown = result["rss_peak_mb"] - result["rss_before_mb"]
            what = "pdfplumber pages kept (no page-by-page)" if keep else "extractor.loading (page by page)"
            rate = result["pages"] / result["seconds"] if result["seconds"] else float("inf")
            print(
                f"synthetic {pages} pages, {what}: {result['seconds']:.1f} s, {rate:.1f} pages/s, "
                f"peak RSS +{grown:.0f} MB over {result['rss_before_mb']:.0f} MB"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    eval_pdfs(args.repeat)
    synthetic(args.pages)


if __name__ == "__main__":
    main()
