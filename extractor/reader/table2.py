"""Table 二 (active_disclosure): the 第二十条 blocks of layout 2019 or 2021.

Rows are read by their labels; a block whose numbers are separate cells and
fill its rows exactly is read in row order (PDF text prints numbers before
their labels). Runs of digits are cut under the relations a row must obey
(no negative counts but 本年增/减, in force ≥ issued − repealed, …); a cell
the cuts disagree on stays ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from extractor.document import Span
from extractor.record import ACTIVE_DISCLOSURE_ROWS, Number, active_disclosure_spec
from extractor.reader.cellstream import Item, flexible, scan
from extractor.reader.splitting import Piece, readings_by_count
from extractor.reader.tablecells import Cell, Row, TableResult, consensus, piece_of, runs_of, value_of

# Table 二 rows by their record.py labels; layout 2021 prints 规范性文件 as 行政规范性文件.
AD_ROW_ANCHORS: dict[str, list[str]] = {key: [flexible(label)] for key, label in ACTIVE_DISCLOSURE_ROWS.items()}
AD_ROW_ANCHORS["normative_documents"] = [r"(?:行[\s|]*政[\s|]*)?" + flexible(ACTIVE_DISCLOSURE_ROWS["normative_documents"])]
AD_BLOCK = r"第[\s|]*二[\s|]*十[\s|]*条[\s|]*第?[\s|]*\([\s|]*([一二三四五六七八九十]+)[\s|]*\)[\s|]*项"
AD_ANCHORS: dict[str, list[str]] = {**AD_ROW_ANCHORS, "block": [AD_BLOCK], "header": [flexible("信息内容")]}
# Rows of table 二 by 第二十条 block, per layout.
AD_BLOCKS_BY_LAYOUT: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {"一": ("regulations", "normative_documents"), "五": ("licensing", "other_services"), "六": ("penalties", "enforcement"), "八": ("fees",), "九": ("procurement",)},
    "2021": {"一": ("regulations", "normative_documents"), "五": ("licensing",), "六": ("penalties", "enforcement"), "八": ("fees",)},
}


def _ad_constraints(layout: str, row: str) -> Callable[[list[Number | None]], bool]:
    """Relations a table-二 row must satisfy (None cells are not checked)."""

    def counts_ok(vals: list[Number | None], signed: int | None = None, decimal: int | None = None) -> bool:
        for i, v in enumerate(vals):
            if v is None:
                continue
            if i != decimal and isinstance(v, float):
                return False
            if i != signed and v < 0:
                return False
        return True

    if layout == "2021":
        if row in ("regulations", "normative_documents"):
            return lambda v: counts_ok(v) and _in_force_ok(v[0], v[1], v[2])
        if row == "fees":
            return lambda v: counts_ok(v, decimal=0)
        return counts_ok
    if row in ("regulations", "normative_documents"):
        return lambda v: counts_ok(v) and (v[1] is None or v[2] is None or v[1] <= v[2])
    if row in ("licensing", "other_services", "penalties", "enforcement", "fees"):
        return lambda v: counts_ok(v, signed=1) and (v[0] is None or v[1] is None or v[0] + v[1] >= 0)
    if row == "procurement":
        return lambda v: counts_ok(v, decimal=1)
    return counts_ok


def _in_force_ok(issued: Number | None, repealed: Number | None, in_force: Number | None) -> bool:
    """Layout 2021: 现行有效 ≥ 制发 − 废止 (not checked while a cell is blank)."""
    if issued is None or repealed is None or in_force is None:
        return True
    return in_force >= issued - repealed


def _signed_change_ok(pieces: Row, signed_col: int | None) -> bool:
    """A '+'/'-' may only open the 本年增/减 cell."""
    for i, p in enumerate(pieces):
        if p is not None and p.text[:1] in "+-" and i != signed_col:
            return False
    return True


def read_active_disclosure(text: str, start: int, end: int, layout: str) -> TableResult:
    """Table 二 by its 第二十条 blocks and row labels."""
    spec = active_disclosure_spec(layout)
    result = TableResult()
    items = scan(text, start, end, AD_ANCHORS)
    if not any(it.kind == "label" and it.key in spec for it in items):
        result.problems.append("table 二 not found (no row labels): left blank")
        return result
    # content after each row label, and the numbers of each 第二十条 block
    content: dict[str, list[Item]] = {}
    blocks: dict[str, list[Item]] = {}
    block_rows: dict[str, list[str]] = {}
    current_row: str | None = None
    current_block: str | None = None
    for it in items:
        if it.kind == "label":
            if it.key == "block":
                m = re.search(r"\(\s*([一二三四五六七八九十]+)", re.sub(r"[\s|]", "", it.text))
                current_block = m.group(1) if m else None
                blocks.setdefault(current_block or "", [])
                current_row = None
            elif it.key in spec and it.key not in content:
                current_row = it.key
                content[it.key] = []
                if current_block is not None:
                    block_rows.setdefault(current_block, []).append(it.key)
            else:
                current_row = None
            continue
        if current_block is not None:
            blocks.setdefault(current_block, []).append(it)
        if current_row is not None:
            content[current_row].append(it)
    expected_blocks = AD_BLOCKS_BY_LAYOUT["2021" if layout == "2021" else "2019"]
    remarked = _remarked_cells(text, items, content, layout)
    decided: dict[str, Row | None] = {}
    why: dict[str, str] = {}
    # 1. a block whose numbers are separate cells and exactly fill its rows: read in row order
    for block, rows in expected_blocks.items():
        nums = [it for it in blocks.get(block, []) if it.kind in ("num", "blank")]
        ncells = sum(len(spec[r]) - (1 if r == "procurement" else 0) for r in rows)
        if not nums or len(nums) != ncells or any(it.kind == "blank" for it in nums):
            continue
        if any(it.unit_kind == "inline" and len([x for x in nums if x.unit == it.unit]) > 1 for it in nums):
            continue
        if sorted(block_rows.get(block, [])) != sorted(rows):
            continue
        if any(it.unit_kind == "inline" for it in nums) and all(content.get(r) for r in rows):
            continue  # labels sit before their own numbers: read by label below
        pos = 0
        for r in rows:
            k = len(spec[r]) - (1 if r == "procurement" else 0)
            pieces = [piece_of(it) for it in nums[pos : pos + k]]
            pos += k
            vals = [value_of(p) for p in pieces]
            if _ad_constraints(layout, r)(vals) and _signed_change_ok(pieces, 1 if "change" in spec[r] else None):
                decided[r] = pieces
    # 2. the rest by label
    for r in spec:
        if r in decided:
            continue
        cols = [c for c in spec[r] if c != "amount_unit"]
        k = len(cols)
        items_r = [it for it in content.get(r, []) if it.kind in ("num", "blank")]
        if r not in content:
            why[r] = "row label not found"
            decided[r] = None
            continue
        if not items_r:
            decided[r] = [None] * k
            continue
        signed = cols.index("change") if "change" in cols else None
        check = _ad_constraints(layout, r)
        if all(it.explicit for it in items_r):
            row_items = items_r
            while len(row_items) > k and row_items[-1].kind == "blank":
                row_items = row_items[:-1]
            if len(row_items) == k:
                decided[r] = [piece_of(it) for it in row_items]
            elif len(row_items) == k - 1 and r in remarked and remarked[r][1] is not None:
                piece, col = remarked[r]
                rest = iter(piece_of(it) for it in row_items)
                decided[r] = [piece if c == col else next(rest) for c in range(k)]
                result.problems.append(
                    f"active_disclosure.{r}.{cols[col] if col is not None else '?'}: printed apart from its row with the remark that names its column"
                )
            else:
                why[r] = f"{sum(it.kind == 'num' for it in row_items)} numbers printed for {k} columns"
                decided[r] = None
            continue
        runs = runs_of(items_r)
        cands: list[Row] = []
        for _, group in readings_by_count(runs, k):
            cands = [g for g in group if check([value_of(p) for p in g]) and _signed_change_ok(g, signed)]
            if cands:
                break
        if not cands:
            why[r] = "no reading of the digits fits the row"
            decided[r] = None
            continue
        if len(cands) > 1 and layout == "2021" and r == "normative_documents":
            cands = _prose_tie_break(text, (start, end), cands, result.problems)
        merged, problems = consensus({r: cands}, cols)
        result.problems += [f"active_disclosure.{p}" for p in problems]
        decided[r] = [
            Piece(value=c.value, text=str(c.value), span=c.span) if isinstance(c.value, (int, float)) and c.span else None
            for c in merged[r]
        ]
    for r, cols_spec in spec.items():
        cols = [c for c in cols_spec if c != "amount_unit"]
        row = decided.get(r)
        if row is None:
            result.problems.append(f"active_disclosure.{r}: {why.get(r, 'not read')}; left blank")
            row = [None] * len(cols)
        for c, cell_piece in zip(cols, row, strict=False):
            result.cells[f"{r}.{c}"] = Cell(value=value_of(cell_piece), span=cell_piece.span if cell_piece else None, note="table 二")
        if "amount_unit" in cols_spec:
            result.cells[f"{r}.amount_unit"] = _amount_unit(text, row[-1] if row else None, content.get(r, []))
    return result


# A cell printed with a remark, e.g. '22（其中修订 16 件）': the remark's words name the column.
_REMARKED_CELL = re.compile(r"(?m)^[ \t]*(\d+)[ \t]*\n?[ \t]*\(([^()\n]{1,30})\)[ \t]*$")
_REMARK_COLUMN_2021: tuple[tuple[int, re.Pattern[str]], ...] = (
    (2, re.compile(r"现行有效")),
    (1, re.compile(r"废止|失效")),
    (0, re.compile(r"制发|修订|制定|印发")),
)


def _remarked_cells(text: str, items: Sequence[Item], content: Mapping[str, list[Item]], layout: str) -> dict[str, tuple[Piece, int | None]]:
    """Multi-line cells that a converter pulled out of the 规章 / 规范性文件 rows (layout 2021).

    Such cells are printed, with their remark, between the block header and
    the rows. They go, in order, to the rows that lost exactly one cell; the
    column is the one the remark names (None when it names none).
    """
    if layout != "2021":
        return {}
    block = next((it for it in items if it.kind == "label" and it.key == "block"), None)
    first_row = next((it for it in items if it.kind == "label" and it.key in ("regulations", "normative_documents")), None)
    if block is None or first_row is None or first_row.span.start <= block.span.end:
        return {}
    loose = list(_REMARKED_CELL.finditer(text, block.span.end, first_row.span.start))
    short = [r for r in ("regulations", "normative_documents") if len([it for it in content.get(r, []) if it.explicit]) == 2]
    if not loose or len(loose) != len(short):
        return {}
    out: dict[str, tuple[Piece, int | None]] = {}
    for row, m in zip(short, loose, strict=True):
        col = next((c for c, pattern in _REMARK_COLUMN_2021 if pattern.search(m.group(2))), None)
        piece = Piece(value=int(m.group(1)), text=m.group(1), span=Span(start=m.start(1), end=m.end(1)))
        out[row] = (piece, col)
    return out


# Prose that states the report's own normative-document counts (2021 layout: 制发 / 废止 / 现行有效).
_PROSE_COUNTS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(r"(?:制发|印发|出台)[^。;,、\d]{0,8}?规范性文件\s*(\d+)\s*件")),
    (1, re.compile(r"规范性文件\s*\d+\s*件\s*[、,]\s*废止\s*(\d+)\s*件")),
    (1, re.compile(r"(\d+)\s*件\s*(?:予以)?废止")),
    (2, re.compile(r"现行有效[^。;,\d]{0,8}?规范性文件\s*(\d+)\s*件")),
)


def _prose_tie_break(text: str, region: tuple[int, int], cands: list[Row], problems: list[str]) -> list[Row]:
    """Among the cuts of a 行政规范性文件 run, keep those that agree with counts the prose states.

    A prose count only narrows the readings when it is one of the values a
    reading offers for that column and it is the only such statement; the
    table's digits still decide, the prose only picks among their cuts.
    """
    prose = text[: region[0]] + " " * (region[1] - region[0]) + text[region[1] :]
    kept = cands
    for col, pattern in _PROSE_COUNTS:
        stated = {int(m.group(1)) for m in pattern.finditer(prose)}
        offered = {value_of(c[col]) for c in kept}
        if len(stated) != 1 or len(offered) < 2:
            continue
        value = stated.pop()
        narrowed = [c for c in kept if value_of(c[col]) == value]
        if narrowed:
            problems.append(f"active_disclosure.normative_documents: the prose count {value} chose among the cuts of the run")
            kept = narrowed
    return kept


def _amount_unit(text: str, amount: Piece | None, items: Sequence[Item]) -> Cell:
    """The unit printed right after the procurement amount (万元, 元), or None."""
    spans = [amount.span] if amount is not None else [it.span for it in items if it.kind == "num"][-1:]
    if not spans:
        return Cell(value=None, note="no amount printed")
    end = spans[-1].end
    m = re.match(r"[ \t]*(万元|亿元|元)", text[end : end + 6])
    if m:
        return Cell(value=m.group(1), span=Span(start=end + m.start(1), end=end + m.end(1)), note="unit printed after the amount")
    return Cell(value=None, note="no unit printed with the amount")
