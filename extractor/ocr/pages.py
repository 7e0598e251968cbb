"""An OCR'd page as the PDF loader's page: lines and table grids with boxes, plus confidence.

The PDF loader then treats scanned and printed pages alike: tables continued
on the next page are joined, page numbers dropped, and each table row is
written on its own line, cells separated by a tab.
"""

from __future__ import annotations

import re
import unicodedata

from extractor.document import Box
from extractor.loading.pdf_page import (
    Block,
    PdfCell,
    PdfLine,
    PdfPage,
    PdfTable,
    drop_page_number_lines,
)
from extractor.ocr.layout import Grid, join_words, page_blocks
from extractor.ocr.models import PageScan

# OCR drops or misreads the dashes of "- 3 -": in the margins, a number with dashes on either side (or
# none) is a page number; the PDF loader's own rule then drops the rest (第 3 页, 3/12, …).
_LOOSE_PAGE_NUMBER = re.compile(r"[-—–―─－~_·•.]*\d{1,4}[-—–―─－~_·•.]*")
_TOP_MARGIN, _BOTTOM_MARGIN = 0.10, 0.15


def _page_number(line: PdfLine, height: float) -> bool:
    in_margin = line.box.bottom < height * _TOP_MARGIN or line.box.top > height * (1 - _BOTTOM_MARGIN)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", line.text))
    return in_margin and bool(_LOOSE_PAGE_NUMBER.fullmatch(text))


def _box(page: int, x0: float, top: float, x1: float, bottom: float) -> Box:
    return Box(page=page, x0=round(x0, 2), top=round(top, 2), x1=round(x1, 2), bottom=round(bottom, 2))


def _table(grid: Grid, page: int) -> PdfTable:
    cells: list[PdfCell] = []
    for c in grid.cells:
        height = min((w.height for w in c.words), default=10.0)
        cells.append(
            PdfCell(
                text=join_words(c.words, height).replace("\t", " ") if c.words else "",
                row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan,
                box=_box(page, c.x0, c.top, c.x1, c.bottom),
                open_top=grid.open_top and c.row == 0,
                open_bottom=grid.open_bottom and c.row + c.rowspan == grid.nrows,
                confidence=min((w.confidence for w in c.words), default=None),
            )
        )
    return PdfTable(cells, grid.nrows, list(grid.xs), _box(page, grid.x0, grid.top, grid.x1, grid.bottom), [page])


def to_pdf_page(number: int, scan: PageScan) -> PdfPage:
    """The blocks of one OCR'd page, top to bottom, as ``extractor.loading.pdf`` writes them."""
    blocks, height = page_blocks(scan)
    tables = [_table(b.grid, number) for b in blocks if b.grid is not None]
    lines = [
        PdfLine(
            text=join_words(b.line.words, height).replace("\t", " "),
            box=_box(number, b.line.left, b.line.top, b.line.right, b.line.bottom),
            confidence=min(w.confidence for w in b.line.words),
        )
        for b in blocks
        if b.line is not None
    ]
    lines = drop_page_number_lines([ln for ln in lines if not _page_number(ln, scan.height)], tables, scan.height)
    out: list[Block] = [*lines, *tables]
    out.sort(key=lambda b: b.box.top)
    return PdfPage(number, scan.height, out)
