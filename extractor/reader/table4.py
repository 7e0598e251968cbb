"""Table 四 (review_litigation): three groups of 维持/纠正/其他/尚未审结/总计, fifteen cells.

The cells are read in printed order after the table's header row; runs of
digits without separators are cut so that every group's total equals its
four outcomes. Cells printed in order whose sums fail are kept as printed
(the source's own arithmetic) unless a total visibly sits elsewhere, which
means the order itself is disturbed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from extractor.record import REVIEW_GROUPS, REVIEW_OUTCOMES, Number
from extractor.reader.cellstream import Item, flexible, scan
from extractor.reader.splitting import Piece, readings_by_count
from extractor.reader.tablecells import Row, TableResult, consensus, piece_of, runs_of, value_of

_REVIEW_HEADERS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "其他", "结果", "尚未", "总计")
# Halves of the 结果维持/结果纠正/尚未审结 headers (printed split over lines); only the table has them,
# so its data follow the first one.
_REVIEW_OUTCOME_HEADERS = ("维持", "纠正", "审结")
_REVIEW_HEAD = re.compile(flexible("维持") + r"[\s\S]{0,80}?" + flexible("纠正"))
REVIEW_ANCHORS: dict[str, list[str]] = {
    "header": [flexible(h) for h in _REVIEW_HEADERS],
    "outcome": [flexible(h) for h in _REVIEW_OUTCOME_HEADERS],
}


GROUPS = tuple(REVIEW_GROUPS)
OUTCOMES = tuple(REVIEW_OUTCOMES)


def _group_ok(vals: Sequence[Number | None]) -> bool | None:
    """Whether one group's total equals its four outcomes (None: nothing to check).

    A reading rule, not ``extractor.identities.group_sum``: blank outcomes count as 0 once any is given.
    """
    if vals[4] is None or all(v is None for v in vals[:4]):
        return None
    return sum(v or 0 for v in vals[:4]) == vals[4]


def read_review(text: str, start: int, end: int) -> TableResult:
    """Table 四 (15 cells: three groups of upheld/corrected/other/pending/total)."""
    result = TableResult()
    items = scan(text, start, end, REVIEW_ANCHORS)
    # the header row: 维持 and 纠正 close together (prose such as 均维持原决定 has no 纠正 next to it)
    head = _REVIEW_HEAD.search(text, start, end)
    first_header = None
    if head is not None:
        first_header = next((i for i, it in enumerate(items) if it.kind == "label" and it.span.start >= head.start()), None)
    if first_header is None:
        result.problems.append("table 四 not printed (no 行政复议/结果维持 header): left blank")
        return result
    cells = [it for it in items[first_header:] if it.kind in ("num", "blank")]
    n = len(GROUPS) * len(OUTCOMES)
    if cells and cells[0].unit_kind == "delimited":
        # delimited rows holding a number are data (header rows hold only words and blanks); one row of
        # fifteen, or one row per group when each group was printed as its own little table
        data_units = list(dict.fromkeys(it.unit for it in cells if it.kind == "num" and it.unit_kind == "delimited"))
        cells = [it for u in data_units for it in cells if it.unit == u]
    if cells and cells[0].explicit:
        # one cell per item (a delimited row, or one cell per line): the first fifteen, blanks included
        cells = list(itertools.takewhile(lambda it: it.explicit, cells))
        if len(cells) < n:
            result.problems.append(f"table 四: {len(cells)} cells for {n}; left blank")
            return result
        row: Row = [piece_of(it) for it in cells[:n]]
        return _review_result(result, [row], "cells as printed", cells_are_positional=True)
    runs = runs_of(cells)
    if not runs:
        result.problems.append("table 四: no numbers after the header; left blank")
        return result
    required = tuple(5 * g + 4 for g in range(len(GROUPS)))
    for _, group in readings_by_count(runs, n, required=required):
        ok = [r for r in group if all(_group_ok([value_of(p) for p in r[5 * g : 5 * g + 5]]) is not False for g in range(3)) and not any(p is not None and (isinstance(p.value, float) or p.value < 0) for p in r)]
        if ok:
            return _review_result(result, ok, "digits cut by the group sums")
    # No reading satisfies every group: read positionally if each run is one cell.
    if len(runs) == n:
        row = [Piece(value=p.value, text=p.text, span=p.span) for p in (piece_of(Item(kind="num", text=r.text, span=r.span)) for r in runs) if p is not None]
        if len(row) == n:
            return _review_result(result, [row], "cells in printed order", cells_are_positional=True)
    result.problems.append("table 四: no reading of the numbers fits 15 cells; left blank")
    return result


def _number(value: Number | str | None) -> Number | None:
    return None if isinstance(value, str) else value


def _review_result(result: TableResult, rows: list[Row], how: str, cells_are_positional: bool = False) -> TableResult:
    if cells_are_positional and len(rows) == 1:
        rows = [_repair_displaced_totals(rows[0], result.problems)]
    merged, problems = consensus({"review_litigation": rows}, [f"{g}.{o}" for g in GROUPS for o in OUTCOMES])
    result.problems += problems
    for g, group in enumerate(GROUPS):
        vals = [_number(merged["review_litigation"][5 * g + o].value) for o in range(5)]
        if _group_ok(vals) is False:
            result.problems.append(f"review_litigation.{group}: total {vals[4]} ≠ {sum(v or 0 for v in vals[:4])} as printed")
        for o, outcome in enumerate(OUTCOMES):
            cell = merged["review_litigation"][5 * g + o]
            result.cells[f"{group}.{outcome}"] = cell.model_copy(update={"note": cell.note or f"table 四 {how}"})
    return result


def _repair_displaced_totals(row: Row, problems: list[str]) -> Row:
    """Cells in printed order whose group sums fail: detect a total printed out of place.

    When a group's four outcomes sum to a number printed elsewhere in the row,
    the order is disturbed (a header fragment moved a total): that group takes
    the displaced total, and every group that still fails is left blank,
    because its cells can no longer be trusted to be in place. When no total
    is displaced, the row is kept as printed (the source's own arithmetic).
    """
    vals = [value_of(p) for p in row]
    failing = [g for g in range(3) if _group_ok(vals[5 * g : 5 * g + 5]) is False]
    if not failing:
        return row
    out = list(row)
    displaced = False
    for g in failing:
        outcomes = vals[5 * g : 5 * g + 4]
        if any(v is None for v in outcomes):
            continue
        s = sum(v or 0 for v in outcomes)
        elsewhere = [i for i, v in enumerate(vals) if v == s and not 5 * g <= i < 5 * g + 5]
        if len(elsewhere) == 1:
            out[5 * g + 4] = row[elsewhere[0]]
            displaced = True
            problems.append(f"review_litigation.{GROUPS[g]}.total: printed out of place; taken from the number equal to the sum of its outcomes")
    if not displaced:
        return row
    new_vals = [value_of(p) for p in out]
    for g in range(3):
        if _group_ok(new_vals[5 * g : 5 * g + 5]) is False:
            for i in range(5 * g, 5 * g + 5):
                out[i] = None
            problems.append(f"review_litigation.{GROUPS[g]}: the numbers are out of printed order; left blank")
    return out
