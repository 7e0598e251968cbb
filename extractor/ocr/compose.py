"""Pages (text-layer text or OCR'd blocks) into one raw text, its table grids and its OCR'd lines.

Positions are offsets in that raw text (``Document.source`` of a scanned
report); the loader maps them to ``Document.text`` after normalisation. A
table that ends one page and starts the next with the same columns is one
table (its ``pages`` lists both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor.document import Box
from extractor.ocr.layout import Block, Grid, join_words

_SHORT = 8  # a line this short between two parts of a table is a page number or running head


@dataclass
class CellDraft:
    start: int
    end: int
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box
    confidence: float | None


@dataclass
class TableDraft:
    rows: list[list[CellDraft]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)
    next_row: int = 0


@dataclass
class LineDraft:
    start: int
    end: int
    box: Box
    confidence: float


@dataclass
class OcrPage:
    """One OCR'd page: its blocks in reading order and its typical text height."""

    page: int
    blocks: list[Block]
    height: float


@dataclass
class Composed:
    source: str
    tables: list[TableDraft]
    lines: list[LineDraft]
    ocr_ranges: list[tuple[int, int]]  # source ranges of the OCR'd pages


def _same_columns(a: Sequence[float], b: Sequence[float], tol: float) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def compose(pages: Sequence[str | OcrPage]) -> Composed:
    """Join pages with a newline; OCR'd pages are written line by line, tables a row per line."""
    out: list[str] = []
    pos = 0
    tables: list[TableDraft] = []
    lines: list[LineDraft] = []
    ranges: list[tuple[int, int]] = []
    open_table: TableDraft | None = None  # the table the previous page ended with

    def write(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += len(s)

    for k, page in enumerate(pages):
        if k:
            write("\n")
        if isinstance(page, str):
            write(page)
            open_table = None
            continue
        start = pos
        tol = max(2.0, 0.5 * page.height)
        seen_long = False
        for block in page.blocks:
            if block.grid is not None:
                grid = block.grid
                joins = open_table is not None and not seen_long and _same_columns(open_table.xs, grid.xs, 2 * tol)
                cont = open_table if joins else None
                open_table = _write_table(grid, page.page, cont, write, lambda: pos)
                if cont is None:
                    tables.append(open_table)
                seen_long = True
                continue
            assert block.line is not None
            words = block.line.words
            text = join_words(words, page.height)
            if out and not out[-1].endswith("\n") and pos > start:
                write("\n")
            a = pos
            write(text)
            box = Box(page=page.page, x0=min(w.x0 for w in words), top=min(w.top for w in words),
                      x1=max(w.x1 for w in words), bottom=max(w.bottom for w in words))
            lines.append(LineDraft(start=a, end=pos, box=box, confidence=min(w.confidence for w in words)))
            if len(text) > _SHORT:
                seen_long = True
                open_table = None
        ranges.append((start, pos))
    return Composed(source="".join(out), tables=tables, lines=lines, ocr_ranges=ranges)


def _write_table(grid: Grid, page: int, cont: TableDraft | None, write, here) -> TableDraft:  # noqa: ANN001
    """Write ``grid`` a row per line (cells joined by a tab), continuing ``cont`` when given."""
    table = cont or TableDraft(xs=list(grid.xs))
    if page not in table.pages:
        table.pages.append(page)
    height = 10.0
    by_row: dict[int, list] = {}
    for cell in grid.cells:
        by_row.setdefault(cell.row, []).append(cell)
    offset = table.next_row
    for r in sorted(by_row):
        cells = sorted(by_row[r], key=lambda c: c.col)
        if not any(c.words for c in cells):
            continue
        if here() > 0:
            write("\n")
        row: list[CellDraft] = []
        for i, cell in enumerate(cells):
            if i:
                write("\t")
            a = here()
            if cell.words:
                height = min(w.height for w in cell.words)
                write(join_words(cell.words, height))
            conf = min(w.confidence for w in cell.words) if cell.words else None
            box = Box(page=page, x0=cell.x0, top=cell.top, x1=cell.x1, bottom=cell.bottom)
            row.append(CellDraft(a, here(), offset + cell.row, cell.col, cell.rowspan, cell.colspan, box, conf))
        table.rows.append(row)
    table.next_row = offset + max(by_row) + 1 if by_row else offset
    return table
