"""Table 三 (applications): rows × seven applicant columns, by label or by position.

Two decodings of the printed cells are tried and judged by the identities of
the spec (row total = sum of the six applicant columns; 一+二 = (七)+四 per
column; (七) = sum of the outcome rows per column):

* *by label* — the cells printed after each row label (HTML/markdown rows,
  one-line flattened text, one cell per line); runs of digits without
  separators are cut by ``splitting`` and only the cuts the identities
  accept survive;
* *by position* — the fixed row order and seven columns alone, for PDF text
  whose labels drift away from their numbers (rows printed row by row, or
  several rows printed column by column as blocks).

The decoding that breaks fewest identities wins; cells that surviving
readings disagree on stay ``None`` with a line in the problems.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from extractor.record import (
    APPLICANT_COLUMNS,
    BALANCE_ROW_KEYS,
    APPLICATION_ROWS_SINGLE_OTHER,
    APPLICATION_ROWS_SPLIT_OTHER,
    OUTCOME_ROW_KEYS,
    Number,
)
from extractor.reader.cellstream import Item, flexible, scan
from extractor.reader.splitting import readings_by_count
from extractor.reader.tablecells import Cell, Row, TableResult, consensus, piece_of, runs_of, value_of

COLUMNS: tuple[str, ...] = tuple(APPLICANT_COLUMNS)  # six applicant columns + total
N_COLS = len(COLUMNS)
MAX_COMBINATIONS = 5_000  # joint search over ambiguous rows; beyond it each row keeps only what its own readings agree on
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

TABLE3_START = re.compile(r"申[\s|]*请[\s|]*人[\s|]*情[\s|]*况|本[\s|]*年[\s|]*新[\s|]*收")


def _app_checks(vals: Mapping[str, Sequence[Number | None]], row_keys: Sequence[str]) -> tuple[int, int]:
    """(passed, failed) identity checks of table 三 on the cells that are present.

    The reader's own counting, deliberately not ``extractor.identities``: to judge a *reading* of printed
    cells it counts a blank cell as 0 once a row or column has any value (an all-blank balance row as 0,
    a partly blank sum as decided), where the checker calls such a sum not checkable; it also runs inside
    the joint search over up to ``MAX_COMBINATIONS`` readings, so it stays on plain lists.
    """
    passed = failed = 0

    def ok(cond: bool) -> None:
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1

    blank = {k for k in BALANCE_ROW_KEYS if k in vals and all(x is None for x in vals[k])}
    outcome_rows = [vals[k] for k in row_keys if k in OUTCOME_ROW_KEYS and k in vals]

    for key in row_keys:
        row = vals.get(key)
        if row is None or row[6] is None or all(x is None for x in row[:6]):
            continue
        ok(sum(x or 0 for x in row[:6]) == row[6])
    for c in range(N_COLS):
        four: list[Number] = []
        for k in BALANCE_ROW_KEYS:
            row = vals.get(k)
            value = None if row is None else (0 if k in blank else row[c])
            if value is None:
                break
            four.append(value)
        if len(four) == len(BALANCE_ROW_KEYS) and any(four):
            ok(four[0] + four[1] == four[2] + four[3])
        tot = vals.get("total")
        outcomes = [row[c] for row in outcome_rows]
        if tot is not None and tot[c] is not None and any(x is not None for x in outcomes):
            ok(sum(x or 0 for x in outcomes) == tot[c])
    return passed, failed


def _row_sum_failures(vals: Mapping[str, Sequence[Number | None]]) -> int:
    """Rows whose printed total is not the sum of their applicant cells."""
    return sum(
        1 for row in vals.values()
        if row[6] is not None and any(x is not None for x in row[:6]) and sum(x or 0 for x in row[:6]) != row[6]
    )


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
            return [[piece_of(it) for it in row_items]], None
        if all(it.kind == "blank" for it in row_items):
            return [[None] * N_COLS], None
        return None, f"{len(row_items)} cells printed for {N_COLS} columns"
    runs = runs_of(cells)
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
    fixed = {k: [value_of(p) for p in rows[0]] for k, rows in cands.items() if len(rows) == 1}
    best: list[tuple[Row, ...]] = []
    best_failed = None
    for combo in itertools.product(*(cands[k] for k in multi)):
        vals = dict(fixed)
        vals.update({k: [value_of(p) for p in r] for k, r in zip(multi, combo, strict=True)})
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
                seen = {value_of(r[c]) for r in rows}
                cells.append(seen.pop() if len(seen) == 1 else None)
            out[key] = cells
        return out

    def score(self) -> tuple[int, int, int]:
        vals = self.values()
        passed, failed = _app_checks(vals, self.row_keys)
        filled = sum(x is not None for row in vals.values() for x in row)
        return failed, -filled, -passed


def layout_rows(layout: str, split: bool) -> list[str]:
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
    row_keys = layout_rows(layout, split)
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
        row_keys = layout_rows(layout, split)
        cands = {k: [[piece_of(it) for it in r]] for k, r in zip(row_keys, rows, strict=False)}
        dec = _Decoding(name="by position", row_keys=row_keys, cands=cands)
        if orphans:
            _place_orphan(dec, orphans[0])
        decodings.append(dec)
    return decodings


def _place_orphan(dec: _Decoding, orphan: Item) -> None:
    """A lone number printed away from its row: put it in the one blank cell where every identity then holds."""
    piece = piece_of(orphan)
    base_failed = dec.score()[0]
    fits = []
    for key in dec.row_keys:
        row = dec.cands[key][0]
        for c in range(N_COLS):
            if row[c] is None:
                trial = {k: [value_of(p) for p in rows[0]] for k, rows in dec.cands.items()}
                trial[key] = list(trial[key])
                trial[key][c] = value_of(piece)
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
    m = TABLE3_START.search(text, start, end)
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
    cells, problems = consensus({k: best.cands[k] for k in best.row_keys}, COLUMNS)
    failed = best.score()[0]
    result.problems += [f"applications.{p}" for p in problems] + best.problems
    if failed:
        result.problems.append(f"table 三 read {best.name}: {failed} identity check(s) fail as printed")
        bad_rows = _row_sum_failures(best.values())
        if best.name == "by position" and failed > MAX_SOURCE_SLIPS or bad_rows > MAX_SOURCE_SLIPS:
            # rows placed by order alone that break many identities are more likely shifted than misprinted;
            # many rows whose 总计 is not the sum of the others mean the columns are not in the standard order
            result.problems.append(f"table 三: the {best.name} reading breaks too many identities ({bad_rows} row sums); left blank")
            cells = {k: [Cell(note="the reading breaks the identities") for _ in COLUMNS] for k in best.row_keys}
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
