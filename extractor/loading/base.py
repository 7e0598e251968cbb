"""What every format loader hands back, and the steps they share: tidying and finishing table grids.

A loader writes a raw text (``Document.source`` for DOCX/PDF, the markup's
visible text for HTML) and records each table cell as a range of its source;
``build_tables`` turns those ranges into ``TableCell`` spans of the final,
normalised text (the map is non-decreasing, so ranges survive normalisation
and tidying) and fills in grid positions where the format did not give them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.document import Box, SourceBox, Span, Table, TableCell
from extractor.normalize import normalize_mapped, source_to_text, sub_mapped


@dataclass
class RawCell:
    """A cell as a range ``[start, end)`` of the loader's source; ``row``/``col`` None = from the spans."""

    start: int
    end: int
    colspan: int = 1
    rowspan: int = 1
    row: int | None = None
    col: int | None = None
    origin: str | None = None
    box: Box | None = None
    confidence: float | None = None  # OCR


@dataclass
class RawTable:
    rows: list[list[RawCell]]
    pages: list[int] = field(default_factory=list)


@dataclass
class Loaded:
    """One format loader's result, before it becomes a ``Document``."""

    source: str
    text: str
    offsets: list[int]
    tables: list[Table] = field(default_factory=list)
    encoding: str | None = None
    boxes: list[SourceBox] = field(default_factory=list)
    pages: int | None = None
    problems: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)


_SPACES = re.compile(r"(?<= ) +|^ +| +$| +(?=[\t\n])|(?<=[\t\n]) +", re.M)
_BLANK_LINES = re.compile(r"\A\n+|\n+(?=\n)|\n+\Z")


def tidy(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """One space between words, none at line or cell edges, no blank lines (as a page shows them).

    Runs after NFKC so the NBSP/ideographic spaces it turned into ' ' go too.
    """
    text, offsets = sub_mapped(text, offsets, _SPACES, "")
    return sub_mapped(text, offsets, _BLANK_LINES, "")


def grid_positions(rows: list[list[RawCell]]) -> None:
    """Fill in missing ``row``/``col`` the way a browser lays out a table: spans occupy later slots."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            if cell.row is not None and cell.col is not None:
                c = cell.col
            else:
                while (r, c) in taken:
                    c += 1
                cell.row, cell.col = r, c
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan


def build_tables(text: str, offsets: list[int], tables: list[RawTable]) -> list[Table]:
    """Turn recorded source ranges into cells with spans in the final text."""
    out: list[Table] = []
    for raw in tables:
        kept = [row for row in raw.rows if not (len(row) == 1 and row[0].end <= row[0].start)]
        grid_positions(kept)
        trows: list[list[TableCell]] = []
        for row in kept:
            trow = []
            for cell in row:
                a = source_to_text(offsets, cell.start)
                b = max(a, source_to_text(offsets, cell.end))
                trow.append(
                    TableCell(
                        text=text[a:b],
                        span=Span(start=a, end=b),
                        row=cell.row or 0,
                        col=cell.col or 0,
                        colspan=cell.colspan,
                        rowspan=cell.rowspan,
                        box=cell.box,
                        origin=cell.origin,
                        confidence=cell.confidence,
                    )
                )
            if len(trow) == 1 and not trow[0].text:
                continue  # a lone empty cell leaves no line in the text, so no row either
            trows.append(trow)
        cells = [c for r in trows for c in r]
        if not cells:
            continue
        span = Span(start=min(c.span.start for c in cells), end=max(c.span.end for c in cells))
        out.append(Table(rows=trows, span=span, pages=raw.pages))
    return out


def finish(source: str, tables: list[RawTable], offsets: list[int] | None = None) -> tuple[str, list[int], list[Table]]:
    """Normalise and tidy a loader's raw text, then place its tables in the result."""
    text, offs = tidy(*normalize_mapped(source, offsets))
    return text, offs, build_tables(text, offs, tables)
