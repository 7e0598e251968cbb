"""The deterministic reader of tables 二, 三 and 四 (layouts 2019 and 2021): the entry point.

Tables reach us in every shape a converter leaves behind (see
``cellstream``); ``table2``, ``table3`` and ``table4`` decode each table in
the ways its structure allows and keep what the identities of the spec
accept. This module finds where each table is — inside the section the
splitter found, but always by the table's own anchors, so a wrong section
split neither loses a table nor lets prose in — and turns the cells into a
``Reading`` with evidence for every cell. A cell the text does not decide
stays ``None`` with a line in ``Reading.problems``: a wrong number is worse
than a blank one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from extractor.document import Document
from extractor.identities import application_identities, review_identities
from extractor.reader.cellstream import flexible
from extractor.reader.grid import grids_of
from extractor.reader.gridtables import (
    GridTable,
    read_active_disclosure_grid,
    read_applications_grid,
    read_review_grid,
)
from extractor.reader.table2 import AD_BLOCK, AD_ROW_ANCHORS, read_active_disclosure
from extractor.reader.table3 import (
    COLUMNS,
    TABLE3_START,
    layout_rows,
    read_applications,
)
from extractor.reader.table4 import GROUPS, OUTCOMES, read_review
from extractor.reader.tablecells import Cell, TableResult
from extractor.readings import Evidence, ReadFrom, Reading
from extractor.record import (
    ApplicantCounts,
    CaseOutcomes,
    Number,
    Record,
    active_disclosure_spec,
)

if TYPE_CHECKING:
    from extractor.sections import Section

__all__ = ["read_tables"]

# A heading like 四、政府信息公开行政复议、行政诉讼情况 (not the table-三 row 四、结转下年度继续办理).
_TABLE4_HEAD = re.compile(r"[一二三四五六七八九十]\s*、(?:(?!结转)[^\n。\d]){0,24}?(?:复议|诉讼)")
# What ends table 四: the heading of section 五/六, or Shanghai's (一)…问题 paragraph.
_SECTION_END = re.compile(r"[五六]\s*、[^\n。\d]{0,16}?(?:存在|问题|其他需要|改进)|\(一\)[^\n。]{0,20}?(?:问题|改进)")
_TABLE3_HEAD = re.compile(r"[一二三四]\s*、\s*收到和处理")


def _region_from_sections(sections: Sequence[Any], role: str) -> tuple[int, int] | None:
    """The span of the first section (any depth) with ``role``, if the splitter found one."""
    stack = list(sections)
    while stack:
        s = stack.pop(0)
        if getattr(s, "role", None) == role and getattr(s, "span", None) is not None:
            return s.span.start, s.span.end
        stack[:0] = list(getattr(s, "children", []) or [])
    return None


_FLEX = {word: re.compile(flexible(word)) for word in ("本年新收", "上年结转", "自然人", "总计", "信息内容")}
_AD_HEADER = re.compile(r"信息内容|本年制发件数|新制作数量|处理决定数量|本年收费金额|采购项目数量")


def _find_table3(text: str, start: int, end: int) -> int | None:
    """Where table 三 begins: a 申请人情况/本年新收 anchor followed by the table's own rows and headers."""
    for m in TABLE3_START.finditer(text, start, end):
        window = text[m.start() : m.start() + 1500]
        if _FLEX["本年新收"].search(window) and _FLEX["上年结转"].search(window) and (
            _FLEX["自然人"].search(window) or _FLEX["总计"].search(window)
        ):
            return m.start()
    return None


def _find_table2(text: str, start: int, end: int) -> int | None:
    """Where table 二 begins: a 第二十条第(…)项 block header followed by the table's column header
    (or, for a table printed without those block headers, its 信息内容 header next to a row label)."""
    for m in re.finditer(AD_BLOCK, text[start:end]):
        if _AD_HEADER.search(text, start + m.end(), start + m.end() + 300):
            return start + m.start()
    rows = re.compile("|".join(p for patterns in AD_ROW_ANCHORS.values() for p in patterns))
    for m in _FLEX["信息内容"].finditer(text, start, end):
        if rows.search(text, m.end(), m.end() + 300):
            return m.start()
    return None


def _regions(text: str, sections: Sequence[Any]) -> dict[str, tuple[int, int]]:
    """Where tables 二, 三 and 四 are: inside the splitter's sections when it found them, always by the
    tables' own anchors (a wrong or missing section must not lose a table, nor let prose in)."""
    n = len(text)
    sec2 = _region_from_sections(sections, "active_disclosure")
    sec3 = _region_from_sections(sections, "applications")
    sec4 = _region_from_sections(sections, "review_litigation")

    a3 = (_find_table3(text, *sec3) if sec3 else None)
    if a3 is None:
        a3 = _find_table3(text, 0, n)
    h3 = _TABLE3_HEAD.search(text)
    after3 = a3 if a3 is not None else (h3.end() if h3 else (sec4[0] if sec4 else n))
    m4 = _TABLE4_HEAD.search(text, after3)
    if m4 is None and sec4:
        m4 = _TABLE4_HEAD.search(text, sec4[0], sec4[1])
    a4 = m4.start() if m4 else (sec4[0] if sec4 else None)

    if a3 is not None:
        end3 = a4 if a4 is not None and a4 > a3 else (sec3[1] if sec3 and sec3[1] > a3 else n)
        t3 = (a3, end3)
    else:
        t3 = (0, 0)
    if a4 is not None:
        e = _SECTION_END.search(text, m4.end() if m4 else a4)
        t4 = (a4, e.start() if e else (sec4[1] if sec4 else n))
    else:
        t4 = (0, 0)
    a2 = (_find_table2(text, *sec2) if sec2 else None)
    if a2 is None:
        a2 = _find_table2(text, 0, a3 if a3 is not None else n)
    if a2 is not None:
        ends = [x for x in (a3, h3.start() if h3 else None) if x is not None and x > a2]
        t2 = (a2, min(ends) if ends else n)
    else:
        t2 = (0, 0)
    return {"active_disclosure": t2, "applications": t3, "review_litigation": t4}


def read_tables(doc: Document, sections: Sequence[Section], layout: str) -> Reading:
    """Tables 二, 三 and 四 of a layout-2019/2021 report as one reader ``Reading``.

    ``sections`` (from ``extractor.sections.split_sections``) only narrows
    where the tables are looked for; each table is also found by its own
    anchors, so a wrong or missing section split does not lose a table.
    """
    if layout not in ("2019", "2021"):
        raise ValueError(f"read_tables reads layouts 2019 and 2021, not {layout!r}")
    text = doc.text
    regions = _regions(text, sections)
    reading = Reading(engine="reader", record=Record())
    grids = grids_of(doc.tables)

    # Each table from the file's own grid when a grid holds it, else from the text.
    g2 = read_active_disclosure_grid(grids, layout) if grids else None
    t2: TableResult = g2 if g2 is not None else read_active_disclosure(text, *regions["active_disclosure"], layout)
    spec = active_disclosure_spec(layout)
    if g2 is not None and g2.missing_rows:
        text2 = read_active_disclosure(text, *regions["active_disclosure"], layout)
        _rows_from_text(g2, text2, {r: list(spec[r]) for r in g2.missing_rows}, "active_disclosure", None)
    reading.record.active_disclosure = {g: {c: t2.cells.get(f"{g}.{c}", Cell()).value for c in cols} for g, cols in spec.items()}
    _add_evidence(reading, "active_disclosure", t2, [f"{g}.{c}" for g, cols in spec.items() for c in cols], _how(g2))

    g3 = read_applications_grid(grids, layout) if grids else None
    if g3 is not None:
        t3: TableResult = g3
        row_keys: list[str] | None = g3.row_keys
    else:
        t3, row_keys = read_applications(text, *regions["applications"], layout)
    keys = row_keys or layout_rows(layout, layout == "2021")
    if g3 is not None and g3.missing_rows:
        text3, text_keys = read_applications(text, *regions["applications"], layout)
        rows = {r: list(COLUMNS) for r in g3.missing_rows if r in (text_keys or [])}
        _rows_from_text(g3, text3, rows, "applications", _app_identities_hold)
    reading.record.applications = {
        k: ApplicantCounts(**{c: _int(t3.cells.get(f"{k}.{c}", Cell()).value) for c in COLUMNS}) for k in keys
    }
    _add_evidence(reading, "applications", t3, [f"{k}.{c}" for k in keys for c in COLUMNS], _how(g3))

    g4 = read_review_grid(grids) if grids else None
    t4: TableResult = g4 if g4 is not None else read_review(text, *regions["review_litigation"])
    if g4 is not None and g4.missing_rows:
        text4 = read_review(text, *regions["review_litigation"])
        _rows_from_text(g4, text4, {g: list(OUTCOMES) for g in g4.missing_rows}, "review_litigation", _group_sums_hold)
    reading.record.review_litigation = {
        g: CaseOutcomes(**{o: _int(t4.cells.get(f"{g}.{o}", Cell()).value) for o in OUTCOMES}) for g in GROUPS
    }
    _add_evidence(reading, "review_litigation", t4, [f"{g}.{o}" for g in GROUPS for o in OUTCOMES], _how(g4))
    return reading


def _rows_from_text(
    grid: GridTable,
    text_result: TableResult,
    rows: dict[str, list[str]],
    table: str,
    holds: Callable[[GridTable, set[str]], bool] | None,
) -> None:
    """Rows of a grid-read table that no grid prints (a page whose ruling the loader missed), from the text.

    A row is taken only when the text reader decided a value in it and, for
    table 三, every identity the row's cells take part in holds with them;
    otherwise it stays blank.
    """
    for row, cols in rows.items():
        cells = {f"{row}.{c}": text_result.cells.get(f"{row}.{c}") for c in cols}
        if not any(c is not None and c.value is not None for c in cells.values()):
            continue
        before = {k: grid.cells.get(k) for k in cells}
        for k, c in cells.items():
            grid.cells[k] = (c or Cell()).model_copy(update={"read_from": "text"})
        if holds is not None and not holds(grid, {f"{table}.{k}" for k in cells}):
            for k, old in before.items():
                grid.cells[k] = old or Cell(note="row not printed in the grid")
            grid.problems.append(f"{table}.{row}: the text's reading of the row breaks the identities; left blank")
            continue
        grid.problems.append(f"{table}.{row}: not in the grid; read from the text")


def _app_identities_hold(grid: GridTable, paths: set[str]) -> bool:
    """Every identity of table 三 that involves one of ``paths`` holds (or cannot be checked)."""
    table = {
        k: {c: _int(grid.cells.get(f"{k}.{c}", Cell()).value) for c in COLUMNS} for k in grid.row_keys
    }
    return not any(res.fails and paths & set(res.paths) for res in application_identities(table))


def _group_sums_hold(grid: GridTable, paths: set[str]) -> bool:
    """Table 四: the group sum of every group among ``paths`` holds (or cannot be checked)."""
    table = {g: {o: _int(grid.cells.get(f"{g}.{o}", Cell()).value) for o in OUTCOMES} for g in GROUPS}
    return not any(res.fails and paths & set(res.paths) for res in review_identities(table))


def _how(grid_result: TableResult | None) -> ReadFrom:
    return "text" if grid_result is None else "grid"


def _int(value: Number | str | None) -> int | None:
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


def _add_evidence(reading: Reading, table: str, result: TableResult, paths: Sequence[str], read_from: ReadFrom) -> None:
    """Evidence for every cell of the table: where its digits were read (grid cell or text), or why it is blank."""
    missing = "table not read: " + (result.problems[0] if result.problems else "not printed")
    for path in paths:
        cell = result.cells.get(path) or Cell(note=missing)
        reading.evidence[f"{table}.{path}"] = Evidence(
            value=cell.value, span=cell.span, engine="reader", note=cell.note, read_from=cell.read_from or read_from
        )
    reading.problems += result.problems
