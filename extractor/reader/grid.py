"""A table grid as the grid readers see it: every cell at its row and column, with its label or number.

``Document.tables`` holds the tables the file itself delimits (HTML and DOCX
cells, PDF ruling lines), row by row; a merged cell appears once, at its
top-left corner, with its ``rowspan``/``colspan``. ``Grid`` places every cell
on the full grid (from ``TableCell.row``/``col`` when the loader set them, else
by the HTML rule: a cell takes the next position its row has free) so that a
reader can ask what covers any position, and classifies each cell's text
once: a number (``numbers.parse_number``, unit suffix kept apart), a blank
(empty or a dash: a blank is never 0), several numbers in one cell (the grid
ran cells together: undecided unless ``Grid.run_together`` can place them),
or words (a label). Labels are compared
without whitespace, so a header printed one character per line
(``自\\n然\\n人``) reads as one word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from extractor.document import Table, TableCell
from extractor.numbers import Number, parse_number

CellKind = Literal["num", "blank", "multi", "text"]

BLANK_MARKS = frozenset({"", "-", "/", "—", "--", "——", "－", "\\", "–", "―"})
# A cell holding one number, maybe with its unit: '12', '-18', '1,295', '73802895.90元', '7730.28'.
_NUMBER_CELL = re.compile(
    r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(万元|亿元|元|人次|件|个|项|条|次|宗|起|家|份|人)?"
)
# Two or more numbers in one cell ('4 0', '10\n3'): the grid ran cells together.
_SEVERAL_NUMBERS = re.compile(r"^[+-]?\d[\d,.]*(?:\s+[+-]?\d[\d,.]*)+$")
_WS = re.compile(r"\s+")
_MINUS = str.maketrans({"−": "-", "－": "-", "–": "-", "＋": "+"})


def compact(text: str) -> str:
    """A label as compared: NFKC, no whitespace (vertical headers and wrapped labels read as one word)."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class GridCell:
    """One printed cell placed on the grid (``row``/``col``: its top-left position)."""

    cell: TableCell
    row: int
    col: int
    rowspan: int
    colspan: int
    label: str  # compact text
    kind: CellKind
    value: Number | None = None
    unit: str | None = None

    @property
    def is_value(self) -> bool:
        """A number or a blank: what a data cell holds."""
        return self.kind in ("num", "blank")


def classify(text: str) -> tuple[CellKind, Number | None, str | None]:
    """What one cell holds: (kind, value, unit)."""
    t = unicodedata.normalize("NFKC", text).translate(_MINUS).strip()
    if _WS.sub("", t) in BLANK_MARKS:
        return "blank", None, None
    if _SEVERAL_NUMBERS.match(t):
        return "multi", None, None
    m = _NUMBER_CELL.fullmatch(_WS.sub("", t))
    if m:
        value = parse_number(m.group(1))
        if value is not None:
            return "num", value, m.group(2)
    return "text", None, None


class Grid:
    """One ``Document.tables`` entry with every position resolved to the cell that covers it."""

    def __init__(self, table: Table, index: int = 0) -> None:
        self.table = table
        self.index = index
        self.cells: list[GridCell] = []
        self._at: dict[tuple[int, int], GridCell] = {}
        explicit = any(c.row or c.col for row in table.rows for c in row)
        occupied: set[tuple[int, int]] = set()
        for r, row in enumerate(table.rows):
            c = 0
            for cell in row:
                if explicit:
                    top, left = cell.row, cell.col
                else:
                    while (r, c) in occupied:
                        c += 1
                    top, left = r, c
                kind, value, unit = classify(cell.text)
                placed = GridCell(
                    cell=cell, row=top, col=left, rowspan=max(1, cell.rowspan), colspan=max(1, cell.colspan),
                    label=compact(cell.text), kind=kind, value=value, unit=unit,
                )
                self.cells.append(placed)
                for dr in range(placed.rowspan):
                    for dc in range(placed.colspan):
                        occupied.add((top + dr, left + dc))
                        self._at.setdefault((top + dr, left + dc), placed)
                c = left + placed.colspan
        self._starting: dict[int, list[GridCell]] = {}
        for g in sorted(self.cells, key=lambda g: (g.row, g.col)):
            self._starting.setdefault(g.row, []).append(g)
        self.nrows = max((g.row + g.rowspan for g in self.cells), default=0)
        self.ncols = max((g.col + g.colspan for g in self.cells), default=0)

    def at(self, row: int, col: int) -> GridCell | None:
        """The cell covering a position (None where the file printed none)."""
        return self._at.get((row, col))

    def row(self, r: int) -> list[GridCell]:
        """The distinct cells covering row ``r``, left to right."""
        seen: list[GridCell] = []
        for c in range(self.ncols):
            g = self._at.get((r, c))
            if g is not None and (not seen or seen[-1] is not g):
                seen.append(g)
        return seen

    def starting(self, r: int) -> list[GridCell]:
        """The cells whose top row is ``r``, left to right."""
        return list(self._starting.get(r, ()))

    def run_together(self, g: GridCell) -> list[GridCell] | None:
        """The cells a grid ran into ``g`` ('4 0': several numbers in one cell), one per column, or None.

        Only where the columns the numbers need hold nothing else: ``g`` covers
        them (a ruling the loader missed) or they print no cell at all (an
        aligned table whose gap was too narrow). The numbers go to those
        columns in printed order; each keeps the span of the whole cell.
        """
        if g.kind != "multi":
            return None
        tokens = unicodedata.normalize("NFKC", g.cell.text).translate(_MINUS).split()
        cols = range(g.col, g.col + len(tokens))
        if cols.stop > self.ncols or any(self._at.get((g.row, c)) not in (None, g) for c in cols):
            return None
        parsed = [classify(t) for t in tokens]
        if any(kind != "num" for kind, _, _ in parsed):
            return None
        return [
            replace(g, col=c, colspan=1, label=compact(t), kind="num", value=v, unit=u)
            for c, t, (_, v, u) in zip(cols, tokens, parsed, strict=True)
        ]

    def above(self, r: int, c: int) -> Iterator[GridCell]:
        """The distinct label cells above position (r, c), nearest first."""
        last: GridCell | None = self._at.get((r, c))
        for rr in range(r - 1, -1, -1):
            g = self._at.get((rr, c))
            if g is None or g is last:
                continue
            last = g
            if g.kind == "text":
                yield g


def grids_of(tables: Sequence[Table]) -> list[Grid]:
    return [Grid(t, i) for i, t in enumerate(tables)]


def row_label(grid: Grid, r: int, match: Callable[[str], str | None]) -> tuple[str, GridCell] | None:
    """The row key of row ``r``: the rightmost label cell starting in this row that ``match`` recognises.

    Cells that merely continue from a row above (a group label such as
    ``三、本年度办理结果`` spanning many rows) never name a row, and a group
    label that starts in this row loses to the row's own label to its right
    (``（六）其他处理`` over ``1.申请人无正当理由…`` when (六) is printed as three rows).
    """
    for g in reversed(grid.starting(r)):
        if g.kind != "text":
            continue
        key = match(g.label)
        if key is not None:
            return key, g
    return None
