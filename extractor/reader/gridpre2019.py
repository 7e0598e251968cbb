"""The pre-2019 statistics table read from the file's own grid (HTML, DOCX, PDF cells).

Rows are named by the labels of ``pre2019.label_key`` (the one label table of
the pre-2019 reader); outcome rows (维持/纠错/其他情形) belong to the
行政复议/行政诉讼 row printed above them. The value is the cell of the
reported year's column: the first column after the label (and the unit
column) whose header is not a running total (历年累计); a blank cell is a
blank, and the prose may still state that value (``read_pre2019`` decides).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractor.document import Span
from extractor.numbers import Number
from extractor.reader.grid import Grid, GridCell, row_label
from extractor.reader.pre2019 import _Table, grid_table, label_key

__all__ = ["read_pre2019_grid"]

_UNIT_WORDS = frozenset({"万元", "人次", "条", "件", "次", "个", "人", "篇", "项", "份", "元", "期", "单位", "计量单位"})
_CUMULATIVE = re.compile(r"累计")


def _value_column(grid: Grid, first_row: int, label_col: int) -> int | None:
    """The reported year's column: right of the label and unit cells, not a running total."""
    for c in range(label_col + 1, grid.ncols):
        header = next(iter(grid.above(first_row, c)), None)
        if header is not None and (header.label in _UNIT_WORDS or _CUMULATIVE.search(header.label)):
            continue
        column = [grid.at(r, c) for r in range(first_row, grid.nrows)]
        if any(g is not None and g.kind == "num" and g.col == c for g in column):
            return c
    return None


def _labelled(grid: Grid) -> list[tuple[int, tuple[str, GridCell]]]:
    return [(r, hit) for r in range(grid.nrows) if (hit := row_label(grid, r, label_key)) is not None]


def read_pre2019_grid(grids: Sequence[Grid]) -> _Table | None:
    """The statistics table from the grid that prints at least three of its rows (and the grids that
    continue it on the next pages: labelled rows, as many columns); None when no grid does."""
    for i, grid in enumerate(grids):
        labelled = _labelled(grid)
        if len({key for _, (key, _) in labelled}) < 3:
            continue
        label_col = max(label.col + label.colspan - 1 for _, (_, label) in labelled)
        col = _value_column(grid, labelled[0][0], label_col)
        if col is None:
            continue
        parts = [(grid, labelled)]
        for nxt in grids[i + 1 :]:
            more = _labelled(nxt)
            if not more or nxt.ncols != grid.ncols:
                break
            parts.append((nxt, more))
        rows: list[tuple[str, Span, Number | None, Span | None]] = []
        group: str | None = None
        for part, part_rows in parts:
            for r, (key, label) in part_rows:
                if key in ("review.total", "litigation.total"):
                    group = key.split(".")[0]
                elif key == "complaints.total":
                    group = None
                elif key.startswith("case."):
                    if group is None:
                        continue
                    key = f"{group}.{key.split('.')[1]}"
                cell = part.at(r, col)
                if cell is None or cell.kind not in ("num", "blank") or cell.col != col:
                    continue  # no cell of its own in the year's column: the prose may still give it
                rows.append((key, label.cell.span, cell.value, cell.cell.span if cell.kind == "num" else None))
        span = Span(start=grid.table.span.start, end=max(p.table.span.end for p, _ in parts))
        return grid_table(rows, span)
    return None
