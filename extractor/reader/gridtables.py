"""Tables 二, 三 and 四 read from the file's own table grids (HTML, DOCX and PDF cells).

Where the file delimits its cells, nothing has to be guessed from the order
of the text: each row is named by its label (the template's labels of
``record.py`` and their usual rewordings, matched by the same anchors the
text reader uses), each column by the header cells above it, and each cell
is read on its own with ``numbers.parse_number``. Rows whose label is not a
template row are ignored, never guessed; a blank cell stays ``None``; a cell
holding several numbers (a grid that ran two cells together) stays ``None``
with the reason. Numbers that break an identity are kept as printed (the
source's arithmetic, reported by the checker); the problem lines say so.

A table may be split over several grids (continued on the next page, or
one grid per 第二十条 block): rows are collected from every grid that holds
the table's labels. A table-三 grid without (all of) its header takes the
column map of the grid before it, counted from the right (its seven value
columns are the rightmost), or, failing that, the template's column order
where the named columns fit it; a table-四 cell without its group or outcome
takes the labels printed over it, at the same x, at the end of the grid
before (PDF boxes). A label wrapped over two printed lines (tables found by
alignment: one grid row per line) takes the numbers of the adjacent line
that has no label of its own; a glyph the PDF could not map (U+FFFD) may be
any one character of a label.

Each reader returns ``None`` when the grids do not hold its table, and the
caller then reads that table from the text; rows of a grid-read table that
no grid prints may still come from the text (``tables._rows_from_text``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from pydantic import Field

from extractor.identities import application_identities, group_sum
from extractor.reader.grid import Grid, GridCell, row_label
from extractor.reader.table2 import AD_BLOCK, AD_ROW_ANCHORS
from extractor.reader.table3 import ROW_ANCHORS
from extractor.reader.tablecells import Cell, TableResult
from extractor.record import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_SINGLE_OTHER,
    APPLICATION_ROWS_SPLIT_OTHER,
    OTHER_HANDLING_SPLIT,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    Number,
    active_disclosure_spec,
)

__all__ = ["GridTable", "read_active_disclosure_grid", "read_applications_grid", "read_review_grid"]


class GridTable(TableResult):
    """A table read from grids: its cells, problems, and (table 三) the row keys it prints."""

    row_keys: list[str] = Field(default_factory=list)
    missing_rows: list[str] = Field(default_factory=list)  # rows of the table no grid prints
    grids: list[int] = Field(default_factory=list)  # indexes into Document.tables


_UNMAPPED = "\ufffd"  # a glyph the PDF gives no character for
_CJK = re.compile(r"[\u3400-\u9fff]")


def _matcher(anchors: Mapping[str, Sequence[str]]) -> Callable[[str], str | None]:
    compiled = {key: [re.compile(p) for p in patterns] for key, patterns in anchors.items()}

    def best_key(label: str) -> str | None:
        best: tuple[int, str] | None = None
        for key, patterns in compiled.items():
            for p in patterns:
                m = p.search(label)
                if m and (best is None or len(m.group()) > best[0]):
                    best = (len(m.group()), key)
        return best[1] if best else None

    def match(label: str) -> str | None:
        """The key whose anchor matches the label; the longest match wins (行政规范性文件 over 规范性文件).

        A glyph the PDF could not map (U+FFFD, one in a label) may stand for any character of an
        anchor: the label is read when exactly one key matches with it so filled in.
        """
        key = best_key(label)
        if key is not None or label.count(_UNMAPPED) != 1:
            return key
        fills = {ch for patterns in anchors.values() for p in patterns for ch in _CJK.findall(p)}
        keys = {k for ch in fills if (k := best_key(label.replace(_UNMAPPED, ch))) is not None}
        return keys.pop() if len(keys) == 1 else None

    return match


_APP_ROW = _matcher(ROW_ANCHORS)
_AD_ROW = _matcher(AD_ROW_ANCHORS)


def _cell_of(g: GridCell | None, note: str, integer: bool = True) -> tuple[Cell, str | None]:
    """A grid cell as a decided cell, and a problem line when it cannot be one."""
    if g is None:
        return Cell(note=f"{note}: no cell printed"), "no cell printed"
    span = g.cell.span
    if g.kind == "blank":
        return Cell(value=None, span=span, note=f"{note}: blank cell"), None
    if g.kind == "num":
        if integer and (isinstance(g.value, float) or (g.value is not None and g.value < 0)):
            return Cell(note=f"{note}: '{g.cell.text}' is not a count"), f"'{g.cell.text}' is not a count; left blank"
        return Cell(value=g.value, span=span, note=note), None
    if g.kind == "multi":
        return Cell(note=f"{note}: several numbers in one cell '{g.cell.text}'"), f"several numbers in one cell ('{g.cell.text}'); left blank"
    return Cell(note=f"{note}: '{g.cell.text}' is not a number"), f"'{g.cell.text}' is not a number; left blank"


# ------------------------------------------------------------------ table 三
# Table 三's column headers (record.APPLICANT_COLUMNS) by their distinctive words, so that the usual
# rewordings still name them (企业 for 商业企业, 公益组织, 法律服务机构(个), 合计 for 总计); 其他 only
# as a whole cell, because 法人或其他组织 holds it too.
_APP_COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "natural_person": ("自然人",),
    "commercial": ("商业",),
    "research": ("科研",),
    "social_welfare": ("公益",),
    "legal_service": ("法律服务",),
    "total": ("总计", "合计"),
}
_APP_OTHER_ORG = ("其他", "其它", "其他组织", "其它组织")


def _app_column(label: str) -> str | None:
    if label in _APP_OTHER_ORG:
        return "other_org"
    if label == "企业":
        return "commercial"
    for key, words in _APP_COLUMN_WORDS.items():
        if any(w in label for w in words):
            return key
    return None


def _header_columns(grid: Grid, first_data_row: int, match: Callable[[str], str | None]) -> dict[str, int]:
    """Column key -> grid column, from the header cells above the first data row (nearest header first)."""
    found: dict[str, int] = {}
    for c in range(grid.ncols):
        for g in grid.above(first_data_row, c):
            key = match(g.label)
            if key is not None:
                if key not in found:
                    found[key] = c
                break
    return found


def _column_map(grid: Grid, first_data_row: int, match: Callable[[str], str | None], want: int) -> dict[str, int] | None:
    found = _header_columns(grid, first_data_row, match)
    return found if len(found) == want else None


_APP_KEYS = tuple(APPLICANT_COLUMNS)


def _app_columns_by_order(grid: Grid, first_data_row: int, rows: Sequence[int]) -> dict[str, int] | None:
    """Table 三's columns where the header names only some of them (its upper rows printed on the page
    before, or not at all): the template's fixed column order decides the others.

    Taken only when the named columns sit exactly where that order puts them
    (one column each, side by side) and every column so placed holds a
    number in the table's rows; with no header at all, when the labelled
    rows print exactly seven value columns side by side at the right.
    """
    found = _header_columns(grid, first_data_row, _app_column)
    value_cols = sorted({
        g.col for r in rows for g in grid.row(r)
        if g.row == r and g.colspan == 1 and g.is_value and g.kind == "num"
    })
    if found:
        bases = {c - _APP_KEYS.index(k) for k, c in found.items()}
        if len(found) < len(_APP_KEYS) // 2 + 1 or len(bases) != 1:
            return None
        base = bases.pop()
    elif len(value_cols) == len(_APP_KEYS) and value_cols == list(range(value_cols[0], value_cols[0] + len(_APP_KEYS))):
        base = value_cols[0]
        if base + len(_APP_KEYS) != grid.ncols:
            return None
    else:
        return None
    cmap = {k: base + i for i, k in enumerate(_APP_KEYS)}
    if base < 1 or base + len(_APP_KEYS) > grid.ncols or not set(cmap.values()) <= set(value_cols):
        return None
    return cmap


def _right_aligned(previous: tuple[int, dict[str, int]], ncols: int) -> dict[str, int] | None:
    """A previous grid's column map for a grid printed without a header (continued on the next page).

    Table 三's seven value columns are its rightmost ones; a map that names
    the rightmost columns of its grid carries over counted from the right,
    whatever the label columns on either side.
    """
    width, cmap = previous
    cols = sorted(cmap.values())
    if cols != list(range(width - len(cols), width)) or ncols <= len(cols):
        return None
    return {key: c + ncols - width for key, c in cmap.items()}


def _has_values(grid: Grid, r: int, cmap: Mapping[str, int]) -> bool:
    return any(g is not None and g.row == r and (g.is_value or g.kind == "multi") for g in (grid.at(r, c) for c in cmap.values()))


def _values_row(grid: Grid, r: int, cmap: Mapping[str, int], taken: set[int]) -> int | None:
    """The grid row that holds the cells of the row labelled in row ``r``.

    Its own row, normally. A table found by text alignment has one grid row
    per printed line, so a label wrapped over several lines may sit a line
    above or below its numbers: then the next (else the previous) row, if it
    has numbers and no row label of its own.
    """
    if _has_values(grid, r, cmap):
        return r
    for nr in (r + 1, r - 1):
        if 0 <= nr < grid.nrows and nr not in taken and _has_values(grid, nr, cmap):
            return nr
    return None


_OTHER_LEAF = re.compile(r"^(?:3[.、])?其[他它]$")


def _app_row_label(grid: Grid, r: int) -> tuple[str, GridCell] | None:
    """A table-三 row label; a bare 其他 is row (六)3 when the (六)其他处理 group cell spans its row."""
    hit = row_label(grid, r, _APP_ROW)
    if hit is not None:
        return hit
    own = [g for g in grid.starting(r) if g.kind == "text" and _OTHER_LEAF.match(g.label)]
    group = [g for g in grid.row(r) if g.rowspan > 1 and g.kind == "text" and _APP_ROW(g.label) == "other_handling"]
    return ("other_handling.other", own[-1]) if own and group and group[0].col < own[-1].col else None


def read_applications_grid(grids: Sequence[Grid], layout: str) -> GridTable | None:
    """Table 三 from the grids that print its rows; None when no grid does."""
    result = GridTable()
    rows: dict[str, tuple[Grid, int, dict[str, int]]] = {}
    last_map: tuple[int, dict[str, int]] | None = None
    for grid in grids:
        labelled = [(r, hit) for r in range(grid.nrows) if (hit := _app_row_label(grid, r)) is not None]
        if len({key for _, (key, _) in labelled}) < 2:
            header_only = _column_map(grid, grid.nrows, _app_column, len(APPLICANT_COLUMNS)) if not labelled else None
            if header_only is not None:
                last_map = (grid.ncols, header_only)  # the header printed alone (its rows on the next page)
            continue
        first = labelled[0][0]
        cmap = _column_map(grid, first, _app_column, len(APPLICANT_COLUMNS))
        if cmap is None and last_map is not None:
            cmap = _right_aligned(last_map, grid.ncols)
        if cmap is None:
            cmap = _app_columns_by_order(grid, first, [r for r, _ in labelled])
            if cmap is not None:
                result.problems.append(f"table 三 grid {grid.index}: columns not all named by a header; placed by the template's order")
        if cmap is None:
            result.problems.append(f"table 三 grid {grid.index}: no header names its seven columns; grid not read")
            continue
        last_map = (grid.ncols, cmap)
        result.grids.append(grid.index)
        named_rows = {r for r, _ in labelled}
        used: set[int] = set()
        for r, (key, label) in labelled:
            if label.col >= min(cmap.values()):
                continue  # a label inside the value columns is no row label
            target = _values_row(grid, r, cmap, named_rows | used)
            if target is None:
                continue  # words with no cells (a group heading): no row of the table
            if key in rows:
                result.problems.append(f"applications.{key}: printed twice in the grid; the first row kept")
                continue
            used.add(target)
            rows[key] = (grid, target, cmap)
    if len(rows) < 2:
        return None
    split = any(k in rows for k in OTHER_HANDLING_SPLIT)
    keys = list(APPLICATION_ROWS_SPLIT_OTHER if split else APPLICATION_ROWS_SINGLE_OTHER)
    result.row_keys = keys
    for key in keys:
        if key not in rows:
            result.problems.append(f"applications.{key}: row not printed in the grid")
            result.missing_rows.append(key)
            for col in APPLICANT_COLUMNS:
                result.cells[f"{key}.{col}"] = Cell(note="table 三 grid: row not printed")
            continue
        grid, r, cmap = rows[key]
        spread = {v.col: v for c in cmap.values() if (g := grid.at(r, c)) is not None and g.col == c
                  for v in grid.run_together(g) or ()}
        for col in APPLICANT_COLUMNS:
            g = spread.get(cmap[col]) or grid.at(r, cmap[col])
            cell, problem = _cell_of(g, "table 三 grid")
            if cmap[col] in spread:
                cell = cell.model_copy(update={"note": "table 三 grid: several numbers printed in one cell, one per column"})
            elif g is not None and g.colspan > 1 and g.col != cmap[col]:
                cell, problem = Cell(note="table 三 grid: cell merged with the column before"), "cell merged with the column before; left blank"
            if problem:
                result.problems.append(f"applications.{key}.{col}: {problem}")
            result.cells[f"{key}.{col}"] = cell
    table = {k: {c: _num(result.cells[f"{k}.{c}"].value) for c in APPLICANT_COLUMNS} for k in keys if k in rows}
    for res in application_identities(table, "2021" if split else "2019"):
        if res.fails:
            where = res.row or res.column or ""
            result.problems.append(f"applications: {res.identity} {where} fails as printed ({res.stated} vs {res.computed}); kept")
    return result


# ------------------------------------------------------------------ table 二
_AD_COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "made": ("制作",),
    "published": ("新公开",),
    "total_public": ("公开总",),
    "previous_year": ("上一年", "上年"),
    "change": ("增/减", "增减", "增(减)", "增加/减少"),
    "decisions": ("处理决定",),
    "projects": ("采购项目",),
    "amount": ("金额",),
    "issued": ("制发",),
    "repealed": ("废止",),
    "in_force": ("现行有效",),
    "amount_10k_yuan": ("收费金额",),
}
_UNIT_IN_HEADER = re.compile(r"\((?:单位[:：])?(万元|亿元|元)\)")


def _ad_column(label: str, cols: Sequence[str]) -> str | None:
    for key in cols:
        if any(w in label for w in _AD_COLUMN_WORDS.get(key, ())):
            return key
    return None


_AD_GRID_MARK = re.compile(AD_BLOCK + "|信息内容")


def _is_table2_grid(grid: Grid) -> bool:
    """The grid prints table 二's own words (a 第二十条 block title or its 信息内容 header)."""
    return any(g.kind == "text" and _AD_GRID_MARK.search(g.label) for g in grid.cells)


def read_active_disclosure_grid(grids: Sequence[Grid], layout: str) -> GridTable | None:
    """Table 二 from the grids that print its rows; None when no grid does.

    Each row's cells are named by the nearest header cell above them that
    names one of the row's columns (every 第二十条 block prints its own
    header row); a block printed without one is read left to right when its
    row has exactly as many cells as columns.
    """
    spec = active_disclosure_spec(layout)
    result = GridTable()
    found: dict[str, dict[str, tuple[GridCell | None, str | None]]] = {}
    for grid in grids:
        labelled = [(r, hit) for r in range(grid.nrows) if (hit := row_label(grid, r, _AD_ROW)) is not None]
        labelled = [
            (r, hit) for r, hit in labelled
            if hit[0] in spec and any(g.is_value for g in grid.row(r) if g.col > hit[1].col)
        ]
        if not labelled:
            continue
        result.grids.append(grid.index)
        for r, (key, label) in labelled:
            if key in found:
                result.problems.append(f"active_disclosure.{key}: printed twice in the grid; the first row kept")
                continue
            cols = [c for c in spec[key] if c != "amount_unit"]
            cells = [g for g in grid.row(r) if g.col > label.col]
            named: dict[str, tuple[GridCell | None, str | None]] = {}
            for g in cells:
                header = next((h for h in grid.above(r, g.col) if _ad_column(h.label, cols) is not None), None)
                col = _ad_column(header.label, cols) if header is not None else None
                if col is not None and col not in named:
                    named[col] = (g, header.label if header is not None else None)
            if len(named) < len(cols):
                values = [g for g in cells if g.kind != "text"]
                if len(values) == len(cols) and not named and _is_table2_grid(grid):
                    named = {c: (g, None) for c, g in zip(cols, values, strict=True)}
                    result.problems.append(f"active_disclosure.{key}: no header names its columns; read left to right")
            if named:  # a row whose cells no table-二 header names belongs to some other table
                found[key] = named
    if not found:
        return None
    for key, cols_spec in spec.items():
        row = found.get(key)
        if row is None:
            result.problems.append(f"active_disclosure.{key}: row not printed in the grid")
            result.missing_rows.append(key)
        for col in (c for c in cols_spec if c != "amount_unit"):
            vcell = (row or {}).get(col, (None, None))[0]
            if row is not None and vcell is None:
                result.problems.append(f"active_disclosure.{key}.{col}: no column of the grid is named for it; left blank")
            cell, problem = _cell_of(vcell, "table 二 grid", integer=False)
            v = cell.value
            if isinstance(v, (int, float)) and col not in ("amount", "amount_10k_yuan"):
                if isinstance(v, float) or (v < 0 and col != "change"):
                    text = vcell.cell.text if vcell is not None else ""
                    cell, problem = Cell(note="table 二 grid: not a count"), f"'{text}' is not a count; left blank"
            if problem and row is not None and vcell is not None:
                result.problems.append(f"active_disclosure.{key}.{col}: {problem}")
            result.cells[f"{key}.{col}"] = cell
        if "amount_unit" in cols_spec:
            result.cells[f"{key}.amount_unit"] = _amount_unit(*(row or {}).get("amount", (None, None)))
    return result


def _amount_unit(amount: GridCell | None, header: str | None) -> Cell:
    """The unit printed with the procurement amount (in its cell, else in its header), or None."""
    if amount is not None and amount.unit in ("万元", "亿元", "元"):
        return Cell(value=amount.unit, span=amount.cell.span, note="unit printed with the amount")
    m = _UNIT_IN_HEADER.search(header) if header else None
    if m:
        return Cell(value=m.group(1), note="unit printed in the amount's header")
    return Cell(note="no unit printed with the amount")


# ------------------------------------------------------------------ table 四
_GROUP_WORDS: tuple[tuple[str, str], ...] = (
    ("litigation_after_review", "复议后起诉"),
    ("litigation_direct", "未经复议"),
    ("litigation_direct", "直接起诉"),
    ("review", "行政复议"),
)
_OUTCOME_WORDS: tuple[tuple[str, str], ...] = (
    ("upheld", "维持"),
    ("corrected", "纠正"),
    ("other", "其他"),
    ("pending", "尚未审结"),
    ("pending", "未审结"),
    ("total", "总计"),
    ("total", "合计"),
)


def _review_key(labels: Sequence[str]) -> tuple[str, str] | None:
    """(group, outcome) named by the labels around a cell (nearest first), or None."""
    group = outcome = None
    for label in labels:
        if outcome is None:
            outcome = next((o for o, w in _OUTCOME_WORDS if w in label), None)
        if group is None:
            group = next((g for g, w in _GROUP_WORDS if w in label), None)
    return (group, outcome) if group and outcome else None


def _labels_above_on_page(previous: Grid, g: GridCell) -> list[str]:
    """The label cells of the grid printed just before ``g``'s grid that stand over ``g`` on the page
    (a header whose upper rows ended the page before): matched by x position, nearest row first."""
    box = g.cell.box
    if box is None:
        return []
    x = (box.x0 + box.x1) / 2
    over = [h for h in previous.cells if h.kind == "text" and h.cell.box is not None and h.cell.box.x0 <= x <= h.cell.box.x1]
    return [h.label for h in sorted(over, key=lambda h: -h.row)]


def _review_cells(grids: Sequence[Grid], i: int) -> dict[tuple[str, str], list[GridCell]]:
    """The cells of grid ``i`` by the (group, outcome) their labels name."""
    grid = grids[i]
    by_key: dict[tuple[str, str], list[GridCell]] = {}
    for g in (v for g in grid.cells for v in (grid.run_together(g) or [g])):
        if not g.is_value and g.kind != "multi":
            continue
        labels = [h.label for h in grid.above(g.row, g.col)]
        left = [h.label for h in reversed(grid.row(g.row)) if h.col < g.col and h.kind == "text"]
        key = _review_key(labels + left)
        if key is None and i > 0:
            key = _review_key(labels + left + _labels_above_on_page(grids[i - 1], g))
        if key is not None:
            by_key.setdefault(key, []).append(g)
    return by_key


def read_review_grid(grids: Sequence[Grid]) -> GridTable | None:
    """Table 四 from the grids whose headers name its cells; None when no grid names one group whole.

    A cell's group and outcome come from the label cells above it and to its
    left, so a header three rows deep (行政诉讼 › 未经复议直接起诉 › 结果维持)
    and a table printed with the groups as rows read alike. Each group comes
    from the first grid that names it whole and prints a number in it; the
    groups no grid names are left to the text (``missing_rows``). Where
    several rows are named the same (a data row and an empty row below it),
    the row with numbers wins; two numbers for one cell leave it undecided.
    """
    taken: dict[str, dict[str, list[GridCell]]] = {}
    result = GridTable()
    for i, grid in enumerate(grids):
        by_key = _review_cells(grids, i)
        for group in REVIEW_GROUPS:
            cands = {o: by_key.get((group, o), []) for o in REVIEW_OUTCOMES}
            if group in taken or not all(cands.values()):
                continue
            if any(c.kind == "num" for cs in cands.values() for c in cs):
                taken[group] = cands
                if grid.index not in result.grids:
                    result.grids.append(grid.index)
        if len(taken) == len(REVIEW_GROUPS):
            break
    if not taken:
        return None
    for group in REVIEW_GROUPS:
        if group not in taken:
            # a group whose cells no grid names (its part of the grid ran together, say)
            result.missing_rows.append(group)
            result.problems.append(f"review_litigation.{group}: not named by the grid's headers")
            for outcome in REVIEW_OUTCOMES:
                result.cells[f"{group}.{outcome}"] = Cell(note="table 四 grid: group not in the grid")
            continue
        for outcome, found in taken[group].items():
            printed = [g for g in found if g.kind != "blank"]
            if len(printed) > 1:
                result.cells[f"{group}.{outcome}"] = Cell(note="table 四 grid: two cells for one position")
                result.problems.append(f"review_litigation.{group}.{outcome}: two rows of the grid give it; left blank")
                continue
            cell, problem = _cell_of(printed[0] if printed else found[0], "table 四 grid")
            if problem:
                result.problems.append(f"review_litigation.{group}.{outcome}: {problem}")
            result.cells[f"{group}.{outcome}"] = cell
    table = {g: {o: _num(result.cells[f"{g}.{o}"].value) for o in REVIEW_OUTCOMES} for g in taken}
    for group in taken:
        res = group_sum(table, group)
        if res.fails:
            result.problems.append(f"review_litigation.{group}: total {res.stated} ≠ {res.computed} as printed; kept")
    return result


def _num(value: Number | str | None) -> Number | None:
    return None if isinstance(value, str) else value
