"""The deterministic reader of tables 二, 三 and 四 (layouts 2019 and 2021).

Tables reach us in every shape a converter leaves behind (see
``cellstream``). Rather than one parser per shape, each table is decoded in
the ways its structure allows and the decodings are judged by the
identities of the spec:

* *by label* — the cells printed after each row label (HTML/markdown rows,
  one-line flattened text, one cell per line); runs of digits without
  separators are cut by ``splitting`` and only the cuts that the identities
  accept survive;
* *by position* — the fixed row order and seven columns alone, for PDF text
  whose labels drift away from their numbers (rows printed row by row, or
  several rows printed column by column as blocks).

The decoding that breaks fewest identities wins. A cell that the surviving
readings do not agree on stays ``None`` with a line in ``Reading.problems``:
a wrong number is worse than a blank one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from extractor.document import Document, Span
from extractor.numbers import parse_number
from extractor.readings import Evidence, Reading
from extractor.record import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_SINGLE_OTHER,
    APPLICATION_ROWS_SPLIT_OTHER,
    OUTCOME_ROW_KEYS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    ApplicantCounts,
    CaseOutcomes,
    Number,
    Record,
)
from extractor.reader.cellstream import Item, flexible, scan
from extractor.reader.splitting import Piece, Run, readings_by_count

if TYPE_CHECKING:
    from extractor.sections import Section

__all__ = ["read_tables", "ROW_ANCHORS", "AD_ROW_ANCHORS"]

COLUMNS: tuple[str, ...] = tuple(APPLICANT_COLUMNS)  # six applicant columns + total
N_COLS = len(COLUMNS)
MAX_COMBINATIONS = 20_000
MAX_SOURCE_SLIPS = 2  # identity failures a positional reading may show and still be the source's own arithmetic

# ------------------------------------------------------------------ labels
# Distinctive fragments of the printed row labels of record.py (NFKC text).
# Fragments, not whole labels: labels arrive broken across lines, with typos
# ('其他法律行政止公开') or only in part ('行政机关不再处理其政府信息公'); the
# test suite checks every fragment still occurs in its record.py label.
_ROW_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "new_received": ("本年新收",),
    "carried_over": ("上年结转",),
    "granted": ("予以公开",),
    "partially_granted": ("部分公开",),
    "denied.state_secret": ("国家秘密",),
    "denied.prohibited_by_law": ("其他法律行政",),
    "denied.security_stability": ("三安全一稳定",),
    "denied.third_party_rights": ("第三方合法权益",),
    "denied.internal_affairs": ("三类内部事务",),
    "denied.process_information": ("四类过程性",),
    "denied.enforcement_files": ("行政执法案卷",),
    "denied.administrative_query": ("行政查询事项",),
    "unavailable.not_held": ("不掌握相关",),
    "unavailable.needs_creation": ("没有现成信息", "另行制作"),
    "unavailable.unclear_after_correction": ("补正后申请", "仍不明确"),
    "not_processed.petition_complaint": ("信访举报",),
    "not_processed.duplicate": ("重复申请",),
    "not_processed.publication": ("公开出版物",),
    "not_processed.excessive": ("大量反复",),
    "not_processed.confirm_or_reissue": ("确认或重新出具", "重新出具"),
    "other_handling": ("其他处理",),
    "other_handling.no_correction": ("逾期不补正",),
    "other_handling.unpaid_fee": ("收费通知", "缴纳费用"),
    "carried_forward": ("结转下年度",),
}
ROW_ANCHORS: dict[str, list[str]] = {key: [flexible(f) for f in frags] for key, frags in _ROW_FRAGMENTS.items()}
# Labels whose words are too common to stand alone (其他, 总计) need their numbering.
ROW_ANCHORS["other_handling.other"] = [r"3[ \t]*[.、][ \t]*其[\s|]*他(?![\s|]*(?:法|处))"]
ROW_ANCHORS["total"] = [r"\([\s|]*七[\s|]*\)[\s|]*总[\s|]*计", r"七[\s|]*[、.][\s|]*总[\s|]*计"]
_APP_GROUPS = ("本年度办理结果", "不予公开", "无法提供", "不予处理")
_APP_HEADERS = ("申请人情况", "法人或其他组织", "自然人", "总计")
APP_ANCHORS: dict[str, list[str]] = {
    **ROW_ANCHORS,
    "group": [flexible(g) for g in _APP_GROUPS],
    "header": [flexible(h) for h in _APP_HEADERS],
}
_REVIEW_HEADERS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "其他", "结果", "尚未", "总计")
# Halves of the 结果维持/结果纠正/尚未审结 headers (printed split over lines); only the table has them,
# so its data follow the first one.
_REVIEW_OUTCOME_HEADERS = ("维持", "纠正", "审结")
_REVIEW_HEAD = re.compile(flexible("维持") + r"[\s\S]{0,80}?" + flexible("纠正"))
REVIEW_ANCHORS: dict[str, list[str]] = {
    "header": [flexible(h) for h in _REVIEW_HEADERS],
    "outcome": [flexible(h) for h in _REVIEW_OUTCOME_HEADERS],
}

# Table 二 rows by their record.py labels; layout 2021 prints 规范性文件 as 行政规范性文件.
AD_ROW_ANCHORS: dict[str, list[str]] = {key: [flexible(label)] for key, label in ACTIVE_DISCLOSURE_ROWS.items()}
AD_ROW_ANCHORS["normative_documents"] = [r"(?:行[\s|]*政[\s|]*)?" + flexible(ACTIVE_DISCLOSURE_ROWS["normative_documents"])]
_AD_BLOCK = r"第[\s|]*二[\s|]*十[\s|]*条[\s|]*第?[\s|]*\([\s|]*([一二三四五六七八九十]+)[\s|]*\)[\s|]*项"
AD_ANCHORS: dict[str, list[str]] = {**AD_ROW_ANCHORS, "block": [_AD_BLOCK], "header": [flexible("信息内容")]}
# Rows of table 二 by 第二十条 block, per layout.
_AD_BLOCKS: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {"一": ("regulations", "normative_documents"), "五": ("licensing", "other_services"), "六": ("penalties", "enforcement"), "八": ("fees",), "九": ("procurement",)},
    "2021": {"一": ("regulations", "normative_documents"), "五": ("licensing",), "六": ("penalties", "enforcement"), "八": ("fees",)},
}

# Section headings that end a table region.
_TABLE3_START = re.compile(r"申[\s|]*请[\s|]*人[\s|]*情[\s|]*况|本[\s|]*年[\s|]*新[\s|]*收")
# A heading like 四、政府信息公开行政复议、行政诉讼情况 (not the table-三 row 四、结转下年度继续办理).
_TABLE4_HEAD = re.compile(r"[一二三四五六七八九十]\s*、(?:(?!结转)[^\n。\d]){0,24}?(?:复议|诉讼)")
_SECTION_END = re.compile(r"[五六]\s*、[^\n。\d]{0,16}?(?:存在|问题|其他需要|改进)|\(一\)[^\n。]{0,20}?(?:问题|改进)")
_TABLE3_HEAD = re.compile(r"[一二三四]\s*、\s*收到和处理")


class Cell(BaseModel):
    """A decided cell: its value and the span its digits were read from (None: blank or undecided)."""

    value: Number | str | None = None
    span: Span | None = None
    note: str | None = None


class TableResult(BaseModel):
    cells: dict[str, Cell] = Field(default_factory=dict)  # dotted path (without the table prefix) -> cell
    problems: list[str] = Field(default_factory=list)


Row = list[Piece | None]


# ------------------------------------------------------------------ helpers
def _v(p: Piece | None) -> Number | None:
    return None if p is None else p.value


def _item_piece(it: Item) -> Piece | None:
    if it.kind != "num":
        return None
    value = parse_number(it.text)
    return None if value is None else Piece(value=value, text=it.text, span=it.span)


def _runs(items: Sequence[Item]) -> list[Run]:
    return [Run(text=it.text, span=it.span) for it in items if it.kind == "num"]


def _consensus(rows_by_key: Mapping[str, list[Row]], cols: Sequence[str]) -> tuple[dict[str, list[Cell]], list[str]]:
    """Cells on which every surviving reading agrees; the others None, with the reason."""
    out: dict[str, list[Cell]] = {}
    problems: list[str] = []
    for key, cands in rows_by_key.items():
        cells: list[Cell] = []
        for c, col in enumerate(cols):
            values = {(_v(r[c]) if r else None) for r in cands}
            if len(values) == 1:
                value = values.pop()
                spans = [r[c].span for r in cands if r and r[c] is not None]
                span = Span(start=min(s.start for s in spans), end=max(s.end for s in spans)) if spans else None
                note = None if len(cands) == 1 else f"all {len(cands)} readings of the digits agree"
                cells.append(Cell(value=value, span=span, note=note))
            else:
                shown = sorted(("blank" if v is None else str(v)) for v in values)
                problems.append(f"{key}.{col}: the digits allow {', '.join(shown[:6])}{'…' if len(shown) > 6 else ''}; left blank")
                cells.append(Cell(value=None, note="undecided: " + "/".join(shown[:6])))
        out[key] = cells
    return out, problems


def _region_from_sections(sections: Sequence[Any], role: str) -> tuple[int, int] | None:
    """The span of the first section (any depth) with ``role``, if the splitter found one."""
    stack = list(sections)
    while stack:
        s = stack.pop(0)
        if getattr(s, "role", None) == role and getattr(s, "span", None) is not None:
            return s.span.start, s.span.end
        stack[:0] = list(getattr(s, "children", []) or [])
    return None


# ------------------------------------------------------------------ table 三
def _app_checks(vals: Mapping[str, Sequence[Number | None]], row_keys: Sequence[str]) -> tuple[int, int]:
    """(passed, failed) identity checks of table 三 on the cells that are present."""
    passed = failed = 0

    def ok(cond: bool) -> None:
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1

    blank = {k for k in ("new_received", "carried_over", "total", "carried_forward") if k in vals and all(x is None for x in vals[k])}
    outcome_rows = [vals[k] for k in row_keys if k in OUTCOME_ROW_KEYS and k in vals]

    for key in row_keys:
        row = vals.get(key)
        if row is None or row[6] is None or all(x is None for x in row[:6]):
            continue
        ok(sum(x or 0 for x in row[:6]) == row[6])
    for c in range(N_COLS):
        four = []
        for k in ("new_received", "carried_over", "total", "carried_forward"):
            row = vals.get(k)
            if row is None:
                four = None
                break
            four.append(0 if k in blank else row[c])
        if four is not None and None not in four and any(four):
            ok(four[0] + four[1] == four[2] + four[3])
        tot = vals.get("total")
        outcomes = [row[c] for row in outcome_rows]
        if tot is not None and tot[c] is not None and any(x is not None for x in outcomes):
            ok(sum(x or 0 for x in outcomes) == tot[c])
    return passed, failed


def _row_sum_ok(row: Row) -> bool:
    if row[6] is None:
        return True
    applicants = [p for p in row[:6] if p is not None]
    if not applicants:
        return False
    if any(isinstance(p.value, float) or p.value < 0 for p in row if p is not None):
        return False
    return sum(p.value for p in applicants) == row[6].value


def _row_candidates(items: Sequence[Item]) -> tuple[list[Row] | None, str | None]:
    """Readings of the cells printed after one row label (None: nothing can be said)."""
    cells = [it for it in items if it.kind in ("num", "blank")]
    if not cells:
        return [[None] * N_COLS], None
    if all(it.explicit for it in cells):
        by_unit: dict[int, list[Item]] = {}
        for it in cells:
            by_unit.setdefault(it.unit if it.unit_kind == "delimited" else 0, []).append(it)
        first = next(iter(by_unit.values()))
        row_items = first if cells[0].unit_kind == "delimited" else cells
        while len(row_items) > N_COLS and row_items[-1].kind == "blank":
            row_items = row_items[:-1]
        while len(row_items) > N_COLS and row_items[0].kind == "blank":
            row_items = row_items[1:]
        if len(row_items) == N_COLS:
            return [[_item_piece(it) for it in row_items]], None
        if all(it.kind == "blank" for it in row_items):
            return [[None] * N_COLS], None
        return None, f"{len(row_items)} cells printed for {N_COLS} columns"
    runs = _runs(cells)
    for _, group in readings_by_count(runs, N_COLS, required=(N_COLS - 1,)):
        good = [r for r in group if _row_sum_ok(r)]
        if good:
            return good, None
    return None, "no reading of the digits satisfies the row sum"


def _joint(cands: dict[str, list[Row]], row_keys: Sequence[str]) -> dict[str, list[Row]]:
    """Keep the combinations of row readings that break fewest column identities."""
    multi = [k for k in row_keys if len(cands.get(k, [])) > 1]
    if not multi:
        return cands
    size = 1
    for k in multi:
        size *= len(cands[k])
    if size > MAX_COMBINATIONS:
        return cands
    fixed = {k: [_v(p) for p in rows[0]] for k, rows in cands.items() if len(rows) == 1}
    best: list[tuple[Row, ...]] = []
    best_failed = None
    for combo in itertools.product(*(cands[k] for k in multi)):
        vals = dict(fixed)
        vals.update({k: [_v(p) for p in r] for k, r in zip(multi, combo)})
        _, failed = _app_checks(vals, row_keys)
        if best_failed is None or failed < best_failed:
            best, best_failed = [combo], failed
        elif failed == best_failed:
            best.append(combo)
    out = dict(cands)
    for i, k in enumerate(multi):
        uniq: list[Row] = []
        for combo in best:
            if combo[i] not in uniq:
                uniq.append(combo[i])
        out[k] = uniq
    return out


class _Decoding(BaseModel):
    name: str
    row_keys: list[str]
    cands: dict[str, list[Row]]
    weak: list[str] = Field(default_factory=list)  # rows whose numbers were not printed with their label
    problems: list[str] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)

    def values(self) -> dict[str, list[Number | None]]:
        """Each cell's value where every reading of its row agrees, else None."""
        out: dict[str, list[Number | None]] = {}
        for key, rows in self.cands.items():
            cells = []
            for c in range(N_COLS):
                seen = {_v(r[c]) for r in rows}
                cells.append(seen.pop() if len(seen) == 1 else None)
            out[key] = cells
        return out

    def score(self) -> tuple[int, int, int]:
        vals = self.values()
        passed, failed = _app_checks(vals, self.row_keys)
        filled = sum(x is not None for row in vals.values() for x in row)
        return failed, -filled, -passed


def _layout_rows(layout: str, split: bool) -> list[str]:
    if layout == "2019" or not split:
        return list(APPLICATION_ROWS_SINGLE_OTHER)
    return list(APPLICATION_ROWS_SPLIT_OTHER)


def _decode_by_label(text: str, items: Sequence[Item], layout: str) -> _Decoding | None:
    content: dict[str, list[Item]] = {}
    label_of: dict[str, Item] = {}
    seen_label: set[str] = set()
    after_empty: set[str] = set()  # rows whose label came straight after a row label without cells
    current: str | None = None
    for it in items:
        if it.kind == "label":
            key = it.key or ""
            if key in ROW_ANCHORS and (key not in seen_label or not content[key]):
                # a label printed twice (a heading, then the row) keeps reading until it has cells
                if current is not None and not content[current] and current != key:
                    after_empty.add(key)
                seen_label.add(key)
                current = key
                content.setdefault(key, [])
                label_of[key] = it
            else:
                current = None
            continue
        if current is not None:
            content[current].append(it)
    if not seen_label:
        return None
    split = layout == "2021" and any(k.startswith("other_handling.") for k in seen_label)
    row_keys = _layout_rows(layout, split)
    cands: dict[str, list[Row]] = {}
    problems: list[str] = []
    for key in row_keys:
        if key not in content:
            cands[key] = [[None] * N_COLS]
            problems.append(f"applications.{key}: row label not found; left blank")
            continue
        rows, why = _row_candidates(content[key])
        if rows is None:
            cands[key] = [[None] * N_COLS]
            problems.append(f"applications.{key}: {why}; left blank")
        else:
            cands[key] = rows
    # Rows that may hold another row's numbers: printed away from their label, or right after a label
    # that got none (the classic shift of converted tables). Trusted only while the identities hold.
    weak = [
        k for k in row_keys
        if content.get(k) and (k in after_empty or not _printed_with_label(text, label_of[k], content[k][0]))
    ]
    return _Decoding(name="by label", row_keys=row_keys, cands=_joint(cands, row_keys), problems=problems, weak=weak)


def _printed_with_label(text: str, label: Item, first: Item) -> bool:
    """Whether a row's first cell sits with its label: in the same delimited line, or after the rest of
    the label's own line and nothing but blank lines."""
    if first.unit_kind == "delimited":
        return first.unit == label.unit
    between = text[label.span.end : first.span.start]
    return label.span.end <= first.span.start and re.fullmatch(r"[^\n]*\s*", between) is not None


def _position_variants(units: list[list[Item]]) -> list[tuple[list[list[Item]], list[Item]]]:
    """Ways to assemble the printed units into rows: (rows, orphans), at most a few.

    One number per unit goes to the current row; a unit of seven is a row;
    seven consecutive units of equal size m are m rows printed column by
    column. Seven units of seven cells could be either seven rows or a
    column block, so both are kept and the identities decide.
    """
    out: list[tuple[list[list[Item]], list[Item]]] = []

    def walk(i: int, rows: list[list[Item]], pending: list[Item], orphans: list[Item]) -> None:
        if len(out) >= 8:
            return
        while i < len(units):
            u = units[i]
            m = len(u)
            if u[0].unit_kind == "delimited":
                while len(u) > N_COLS and u[-1].kind == "blank":
                    u = u[:-1]
                if len(u) == N_COLS:
                    orphans, pending = orphans + pending, []
                    rows = rows + [u]
                elif all(it.kind == "blank" for it in u):
                    pass  # a header line: text cells and blanks, no row
                elif len(u) == 1:
                    pending = pending + [u[0]]
                else:
                    return
                i += 1
            elif m == 1:
                pending = pending + [u[0]]
                i += 1
            elif i + N_COLS <= len(units) and all(len(units[j]) == m for j in range(i, i + N_COLS)):
                block = units[i : i + N_COLS]
                if m == N_COLS:  # also readable as seven rows printed row by row
                    walk(i + N_COLS, rows + block, [], orphans + pending)
                rows = rows + [[block[c][r] for c in range(N_COLS)] for r in range(m)]
                orphans, pending = orphans + pending, []
                i += N_COLS
            elif m % N_COLS == 0:
                orphans, pending = orphans + pending, []
                rows = rows + [u[r * N_COLS : (r + 1) * N_COLS] for r in range(m // N_COLS)]
                i += 1
            else:
                return
            if len(pending) == N_COLS:
                rows, pending = rows + [pending], []
        out.append((rows, orphans + pending))

    walk(0, [], [], [])
    return out


def _decode_by_position(items: Sequence[Item], layout: str) -> list[_Decoding]:
    """Rows in the fixed order, ignoring where the labels landed (PDF text)."""
    cells = [it for it in items if it.kind in ("num", "blank")]
    if not cells or any(it.unit_kind == "inline" for it in cells):
        return []
    units: list[list[Item]] = []
    for it in cells:
        if units and units[-1][0].unit == it.unit and it.unit != -1:
            units[-1].append(it)
        else:
            units.append([it])
    sizes = {len(APPLICATION_ROWS_SINGLE_OTHER): False, len(APPLICATION_ROWS_SPLIT_OTHER): True}
    decodings = []
    for rows, orphans in _position_variants(units):
        if len(rows) not in sizes or len(orphans) > 1:
            continue
        split = sizes[len(rows)]
        if split and layout == "2019":
            continue
        row_keys = _layout_rows(layout, split)
        cands = {k: [[_item_piece(it) for it in r]] for k, r in zip(row_keys, rows)}
        dec = _Decoding(name="by position", row_keys=row_keys, cands=cands)
        if orphans:
            _place_orphan(dec, orphans[0])
        decodings.append(dec)
    return decodings


def _place_orphan(dec: _Decoding, orphan: Item) -> None:
    """A lone number printed away from its row: put it in the one blank cell where every identity then holds."""
    piece = _item_piece(orphan)
    base_failed = dec.score()[0]
    fits = []
    for key in dec.row_keys:
        row = dec.cands[key][0]
        for c in range(N_COLS):
            if row[c] is None:
                trial = {k: [_v(p) for p in rows[0]] for k, rows in dec.cands.items()}
                trial[key] = list(trial[key])
                trial[key][c] = _v(piece)
                passed_before, _ = _app_checks(dec.values(), dec.row_keys)
                passed, failed = _app_checks(trial, dec.row_keys)
                if failed == 0 and base_failed == 0 and passed > passed_before:
                    fits.append((key, c))
    if len(fits) == 1:
        key, c = fits[0]
        dec.cands[key][0][c] = piece
        dec.notes[f"{key}.{COLUMNS[c]}"] = "a lone number printed away from its row; the one blank cell where the identities then hold"
    else:
        dec.problems.append(f"a lone number '{orphan.text}' outside any row was not used")


def read_applications(text: str, start: int, end: int, layout: str) -> tuple[TableResult, list[str] | None]:
    """Table 三 from ``text[start:end]``; also returns the row keys of the layout printed (None: no table)."""
    m = _TABLE3_START.search(text, start, end)
    result = TableResult()
    if not m:
        result.problems.append("table 三 not found (no 申请人情况 / 本年新收 row): left blank")
        return result, None
    items = scan(text, m.start(), end, APP_ANCHORS)
    by_label = _decode_by_label(text, items, layout)
    decodings = ([by_label] if by_label else []) + _decode_by_position(items, layout)
    if not decodings:
        result.problems.append("table 三: no row could be read; left blank")
        return result, None
    best = min(decodings, key=lambda d: d.score())
    cells, problems = _consensus({k: best.cands[k] for k in best.row_keys}, COLUMNS)
    failed = best.score()[0]
    result.problems += [f"applications.{p}" for p in problems] + best.problems
    if failed:
        result.problems.append(f"table 三 read {best.name}: {failed} identity check(s) fail as printed")
        if best.name == "by position" and failed > MAX_SOURCE_SLIPS:
            # rows placed by order alone that break many identities are more likely shifted than misprinted
            result.problems.append("table 三: the rows read by position break too many identities; left blank")
            cells = {k: [Cell(note="rows read by position break the identities") for _ in COLUMNS] for k in best.row_keys}
        for key in best.weak:
            # the identities fail and this row's numbers were not printed with its label: do not trust them
            cells[key] = [Cell(note="row read away from its label while identities fail") for _ in COLUMNS]
            result.problems.append(f"applications.{key}: numbers not printed with the row label and the identities fail; left blank")
    rivals = [d for d in decodings if d is not best and d.row_keys == best.row_keys and d.score()[0] == failed]
    for rival in rivals:
        theirs = rival.values()
        for key in best.row_keys:
            for c in range(N_COLS):
                mine, other = cells[key][c].value, theirs[key][c]
                if mine is not None and other is not None and mine != other:
                    cells[key][c] = Cell(note=f"readings {best.name} and {rival.name} disagree ({mine} vs {other})")
                    result.problems.append(f"applications.{key}.{COLUMNS[c]}: two readings fit the table equally ({mine} vs {other}); left blank")
    for key in best.row_keys:
        for c, col in enumerate(COLUMNS):
            cell = cells[key][c]
            note = best.notes.get(f"{key}.{col}") or cell.note
            result.cells[f"{key}.{col}"] = cell.model_copy(update={"note": note or f"table 三 read {best.name}"})
    return result, best.row_keys


# ------------------------------------------------------------------ table 四
_GROUPS = tuple(REVIEW_GROUPS)
_OUTCOMES = tuple(REVIEW_OUTCOMES)


def _group_ok(vals: Sequence[Number | None]) -> bool | None:
    """Whether one group's total equals its four outcomes (None: nothing to check)."""
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
    n = len(_GROUPS) * len(_OUTCOMES)
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
        row: Row = [_item_piece(it) for it in cells[:n]]
        return _review_result(result, [row], "cells as printed", cells_are_positional=True)
    runs = _runs(cells)
    if not runs:
        result.problems.append("table 四: no numbers after the header; left blank")
        return result
    required = tuple(5 * g + 4 for g in range(len(_GROUPS)))
    for _, group in readings_by_count(runs, n, required=required):
        ok = [r for r in group if all(_group_ok([_v(p) for p in r[5 * g : 5 * g + 5]]) is not False for g in range(3)) and not any(p is not None and (isinstance(p.value, float) or p.value < 0) for p in r)]
        if ok:
            return _review_result(result, ok, "digits cut by the group sums")
    # No reading satisfies every group: read positionally if each run is one cell.
    if len(runs) == n:
        row = [Piece(value=p.value, text=p.text, span=p.span) for p in (_item_piece(Item(kind="num", text=r.text, span=r.span)) for r in runs) if p is not None]
        if len(row) == n:
            return _review_result(result, [row], "cells in printed order", cells_are_positional=True)
    result.problems.append("table 四: no reading of the numbers fits 15 cells; left blank")
    return result


def _review_result(result: TableResult, rows: list[Row], how: str, cells_are_positional: bool = False) -> TableResult:
    if cells_are_positional and len(rows) == 1:
        rows = [_repair_displaced_totals(rows[0], result.problems)]
    merged, problems = _consensus({"review_litigation": rows}, [f"{g}.{o}" for g in _GROUPS for o in _OUTCOMES])
    result.problems += problems
    for g, group in enumerate(_GROUPS):
        vals = [merged["review_litigation"][5 * g + o].value for o in range(5)]
        if _group_ok(vals) is False:
            result.problems.append(f"review_litigation.{group}: total {vals[4]} ≠ {sum(v or 0 for v in vals[:4])} as printed")
        for o, outcome in enumerate(_OUTCOMES):
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
    vals = [_v(p) for p in row]
    failing = [g for g in range(3) if _group_ok(vals[5 * g : 5 * g + 5]) is False]
    if not failing:
        return row
    out = list(row)
    displaced = False
    for g in failing:
        outcomes = vals[5 * g : 5 * g + 4]
        if any(v is None for v in outcomes):
            continue
        s = sum(outcomes)
        elsewhere = [i for i, v in enumerate(vals) if v == s and not 5 * g <= i < 5 * g + 5]
        if len(elsewhere) == 1:
            out[5 * g + 4] = row[elsewhere[0]]
            displaced = True
            problems.append(f"review_litigation.{_GROUPS[g]}.total: printed out of place; taken from the number equal to the sum of its outcomes")
    if not displaced:
        return row
    new_vals = [_v(p) for p in out]
    for g in range(3):
        if _group_ok(new_vals[5 * g : 5 * g + 5]) is False:
            for i in range(5 * g, 5 * g + 5):
                out[i] = None
            problems.append(f"review_litigation.{_GROUPS[g]}: the numbers are out of printed order; left blank")
    return out


# ------------------------------------------------------------------ table 二
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
            return lambda v: counts_ok(v) and (None in v or v[2] >= v[0] - v[1])
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


def _signed_change_ok(pieces: Row, signed_col: int | None) -> bool:
    """A '+'/'-' may only open the 本年增/减 cell."""
    for i, p in enumerate(pieces):
        if p is not None and p.text[:1] in "+-" and i != signed_col:
            return False
    return True


def read_active_disclosure(text: str, start: int, end: int, layout: str) -> TableResult:
    """Table 二 by its 第二十条 blocks and row labels."""
    spec = ACTIVE_DISCLOSURE_2021 if layout == "2021" else ACTIVE_DISCLOSURE_2019
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
    expected_blocks = _AD_BLOCKS["2021" if layout == "2021" else "2019"]
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
            pieces = [_item_piece(it) for it in nums[pos : pos + k]]
            pos += k
            vals = [_v(p) for p in pieces]
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
                decided[r] = [_item_piece(it) for it in row_items]
            elif len(row_items) == k - 1 and r in remarked and remarked[r][1] is not None:
                piece, col = remarked[r]
                rest = iter(_item_piece(it) for it in row_items)
                decided[r] = [piece if c == col else next(rest) for c in range(k)]
                result.problems.append(
                    f"active_disclosure.{r}.{cols[col]}: printed apart from its row with the remark that names its column"
                )
            else:
                why[r] = f"{sum(it.kind == 'num' for it in row_items)} numbers printed for {k} columns"
                decided[r] = None
            continue
        runs = _runs(items_r)
        cands: list[Row] = []
        for _, group in readings_by_count(runs, k):
            cands = [g for g in group if check([_v(p) for p in g]) and _signed_change_ok(g, signed)]
            if cands:
                break
        if not cands:
            why[r] = "no reading of the digits fits the row"
            decided[r] = None
            continue
        if len(cands) > 1 and layout == "2021" and r == "normative_documents":
            cands = _prose_tie_break(text, (start, end), cands, result.problems)
        merged, problems = _consensus({r: cands}, cols)
        result.problems += [f"active_disclosure.{p}" for p in problems]
        decided[r] = [Piece(value=c.value, text=str(c.value), span=c.span) if c.value is not None and c.span else None for c in merged[r]]
    for r, cols_spec in spec.items():
        cols = [c for c in cols_spec if c != "amount_unit"]
        row = decided.get(r)
        if row is None:
            result.problems.append(f"active_disclosure.{r}: {why.get(r, 'not read')}; left blank")
            row = [None] * len(cols)
        for c, piece in zip(cols, row):
            result.cells[f"{r}.{c}"] = Cell(value=_v(piece), span=piece.span if piece else None, note="table 二")
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
    for row, m in zip(short, loose):
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
        offered = {_v(c[col]) for c in kept}
        if len(stated) != 1 or len(offered) < 2:
            continue
        value = stated.pop()
        narrowed = [c for c in kept if _v(c[col]) == value]
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


# ------------------------------------------------------------------ entry point
_FLEX = {word: re.compile(flexible(word)) for word in ("本年新收", "上年结转", "自然人", "总计", "信息内容")}
_AD_HEADER = re.compile(r"信息内容|本年制发件数|新制作数量|处理决定数量|本年收费金额|采购项目数量")


def _find_table3(text: str, start: int, end: int) -> int | None:
    """Where table 三 begins: a 申请人情况/本年新收 anchor followed by the table's own rows and headers."""
    for m in _TABLE3_START.finditer(text, start, end):
        window = text[m.start() : m.start() + 1500]
        if _FLEX["本年新收"].search(window) and _FLEX["上年结转"].search(window) and (
            _FLEX["自然人"].search(window) or _FLEX["总计"].search(window)
        ):
            return m.start()
    return None


def _find_table2(text: str, start: int, end: int) -> int | None:
    """Where table 二 begins: a 第二十条第(…)项 block header followed by the table's column header
    (or, for a table printed without those block headers, its 信息内容 header next to a row label)."""
    for m in re.finditer(_AD_BLOCK, text[start:end]):
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

    t2 = read_active_disclosure(text, *regions["active_disclosure"], layout)
    spec = ACTIVE_DISCLOSURE_2021 if layout == "2021" else ACTIVE_DISCLOSURE_2019
    reading.record.active_disclosure = {g: {c: t2.cells.get(f"{g}.{c}", Cell()).value for c in cols} for g, cols in spec.items()}
    _add_evidence(reading, "active_disclosure", t2, [f"{g}.{c}" for g, cols in spec.items() for c in cols])

    t3, row_keys = read_applications(text, *regions["applications"], layout)
    keys = row_keys or _layout_rows(layout, layout == "2021")
    reading.record.applications = {
        k: ApplicantCounts(**{c: _int(t3.cells.get(f"{k}.{c}", Cell()).value) for c in COLUMNS}) for k in keys
    }
    _add_evidence(reading, "applications", t3, [f"{k}.{c}" for k in keys for c in COLUMNS])

    t4 = read_review(text, *regions["review_litigation"])
    reading.record.review_litigation = {
        g: CaseOutcomes(**{o: _int(t4.cells.get(f"{g}.{o}", Cell()).value) for o in _OUTCOMES}) for g in _GROUPS
    }
    _add_evidence(reading, "review_litigation", t4, [f"{g}.{o}" for g in _GROUPS for o in _OUTCOMES])
    return reading


def _int(value: Number | str | None) -> int | None:
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


def _add_evidence(reading: Reading, table: str, result: TableResult, paths: Sequence[str]) -> None:
    """Evidence for every cell of the table: where its digits were read, or why it is blank."""
    missing = "table not read: " + (result.problems[0] if result.problems else "not printed")
    for path in paths:
        cell = result.cells.get(path) or Cell(note=missing)
        reading.evidence[f"{table}.{path}"] = Evidence(value=cell.value, span=cell.span, engine="reader", note=cell.note)
    reading.problems += result.problems
