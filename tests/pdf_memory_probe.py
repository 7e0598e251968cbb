"""Load a synthetic N-page PDF and print what loading it cost (run in a fresh process by the tests/benchmark).

usage: python pdf_memory_probe.py PAGES PATH [--keep]  ->  JSON: pages, tables, problems, seconds,
rss_before_mb / rss_peak_mb (the process's resident memory before loading and its peak), text_chars.
``--keep`` holds every parsed pdfplumber page instead (what loading without closing pages would cost).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pdf_support import Cell, Grid, Page, Text, build_pdf, footer  # noqa: E402


def synthetic(pages: int) -> bytes:
    out = []
    for n in range(1, pages + 1):
        items: list[Text | Grid] = [Text(72, 60, f"第{n}节 政府信息公开工作情况")]
        for k in range(6):
            items.append(Text(72, 90 + 22 * k, f"本机关第{n}页第{k}行的正文,全年主动公开政府信息{n * 7 + k}条。"))
        cells = [Cell(r, c, f"{r * 10 + c + n}" if c else f"项目{r}") for r in range(5) for c in range(4)]
        items += [Grid(72, 400, [150, 80, 80, 80], [20] * 5, cells), footer(n)]
        out.append(Page(items))
    return build_pdf(out)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    pages, path = int(sys.argv[1]), Path(sys.argv[2])
    if not path.exists():
        path.write_bytes(synthetic(pages))
    import pdfplumber

    from extractor.loading import load_bytes

    load_bytes(synthetic(1), "warm.pdf")  # libraries, fonts and CMaps loaded once, before measuring
    data = path.read_bytes()
    before = _rss_mb()
    started = time.perf_counter()
    if "--keep" in sys.argv:
        with pdfplumber.open(path) as pdf:
            kept = [(p, p.chars) for p in pdf.pages]
            result = {"pages": len(kept)}
    else:
        doc = load_bytes(data, path.name)
        result = {"pages": doc.pages, "tables": len(doc.tables), "problems": doc.problems, "text_chars": len(doc.text)}
    result |= {"seconds": round(time.perf_counter() - started, 2), "rss_before_mb": round(before, 1),
               "rss_peak_mb": round(_rss_mb(), 1)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
