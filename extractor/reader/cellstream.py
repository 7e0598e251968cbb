"""A table region of ``Document.text`` as a stream of labels, numbers and blank cells.

Whatever shape a table arrived in, the readers see the same thing: items in
text order, each a row/column label (with its key), a run of digits, or a
cell known to be blank, grouped into *units* — the cells of one delimited
line (HTML/DOCX rows come as tab-separated lines, markdown as ``|`` lines),
a block of consecutive number-only lines, or the digits between two labels
of a flattened one-line table. Page footers (``— 7 —``, ``-3-``) and the
numbering of row labels (``2.其他法律…`` glued to the previous row's digits)
are removed here so that no reader mistakes them for cells.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from extractor.document import Span

ItemKind = Literal["label", "num", "blank"]

_CJK = r"\u3400-\u9fff"
FOOTER_RE = re.compile(r"(?m)^[ \t]*[-—–―]{1,2}[ \t]*\d{1,3}[ \t]*[-—–―]{1,2}[ \t]*$")
# The numbering of a row label: '2.其他法律…', '1. 属于…' — one digit, a dot, then words.
LABEL_NUMERAL_RE = re.compile(rf"(\d)\.(?=[ \t]*[{_CJK}“\"])")
# The numbering just before a recognised label, also with '、' ('1、申请人无正当理由逾期不补正').
_NUMERAL_BEFORE_LABEL_RE = re.compile(r"(\d)[ \t]*[.、][ \t]*[^\d\s.、]{0,12}$")
# A printed number or run of digits; '1,295' (thousands separators) is one number, never two cells.
# Digits glued to a stray '.' ('670.' / '.376375': part of a number lost) are no number at all.
RUN_RE = re.compile(r"(?:[+-](?=\d)|(?<![\d.]))(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d.])")
# Numbers that are never table cells: years and dates (running page headers), page counters.
NOT_A_CELL_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}[ \t]*年(?:[ \t]*\d{1,2}[ \t]*月)?(?:[ \t]*\d{1,2}[ \t]*日)?|[第共][ \t]*\d+[ \t]*页")
MD_RULE_RE = re.compile(r"^[ \t]*\|?[ \t:|-]*-[ \t:|-]*\|?[ \t]*$")
_BLANK_MARKS = {"", "-", "/", "—", "--", "——", "－", "\\"}
# A delimited cell holding one number (digits split over spans may come with spaces), maybe with its unit.
_DELIMITED_NUM_RE = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:万元|亿元|元|件|个|项|条|次)?$")
_DIGITS_RE = re.compile(r"[+-]?\d(?:[\d,. ]*\d)?")


class Item(BaseModel):
    kind: ItemKind
    span: Span
    text: str = ""
    key: str | None = None  # the label's key (row key, group, header word…)
    unit: int = 0  # items of one unit were printed together (one line / one block / one run group)
    explicit: bool = False  # one item is exactly one cell (delimited line or one-cell-per-line text)
    unit_kind: Literal["delimited", "lines", "inline"] = "inline"


def flexible(anchor: str) -> str:
    """A regex for ``anchor`` that tolerates line breaks, spaces and table pipes between its characters."""
    return r"[\s|]*".join(re.escape(ch) for ch in anchor)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def find_labels(text: str, start: int, end: int, anchors: Mapping[str, Sequence[str]]) -> list[Item]:
    """Every label occurrence in ``text[start:end]`` (patterns already regexes), overlaps resolved.

    When two labels overlap the longer match wins (``行政规范性文件`` over ``规范性文件``).
    """
    found: list[Item] = []
    for key, patterns in anchors.items():
        for pattern in patterns:
            for m in _compiled(pattern).finditer(text, start, end):
                found.append(Item(kind="label", key=key, text=m.group(), span=Span(start=m.start(), end=m.end())))
    found.sort(key=lambda it: (it.span.start, -(it.span.end - it.span.start)))
    kept: list[Item] = []
    for item in found:
        if kept and item.span.start < kept[-1].span.end:
            prev = kept[-1]
            if (item.span.end - item.span.start) > (prev.span.end - prev.span.start):
                kept[-1] = item
            continue
        kept.append(item)
    return kept


def _masked(text: str, start: int, end: int, labels: Sequence[Item]) -> str:
    """``text[start:end]`` with footers, labels and label numbering blanked out (same length)."""
    chars = list(text[start:end])

    def blank(a: int, b: int) -> None:
        for i in range(max(a, start), min(b, end)):
            if chars[i - start] not in "\n\t|":
                chars[i - start] = " "

    for m in FOOTER_RE.finditer(text, start, end):
        blank(m.start(), m.end())
    for label in labels:
        blank(label.span.start, label.span.end)
    for m in LABEL_NUMERAL_RE.finditer(text, start, end):
        blank(m.start(1), m.end())
    for label in labels:
        before = max(start, label.span.start - 16)
        numeral = _NUMERAL_BEFORE_LABEL_RE.search(text, before, label.span.start)
        if numeral:
            blank(numeral.start(1), numeral.end(1) + 1)
    for m in NOT_A_CELL_RE.finditer(text, start, end):
        blank(m.start(), m.end())
    return "".join(chars)


def scan(text: str, start: int, end: int, anchors: Mapping[str, Sequence[str]]) -> list[Item]:
    """The items of ``text[start:end]`` in order (see module docstring)."""
    labels = find_labels(text, start, end, anchors)
    masked = _masked(text, start, end, labels)
    items: list[Item] = []
    unit = 0
    pos = start
    lines = masked.split("\n")
    # Where each line starts, and which lines hold nothing but numbers.
    line_starts = []
    for line in lines:
        line_starts.append(pos)
        pos += len(line) + 1
    label_at = {lab.span.start: lab for lab in labels}
    label_starts = sorted(label_at)

    def labels_in(a: int, b: int) -> list[Item]:
        i = bisect_left(label_starts, a)
        j = bisect_left(label_starts, b)
        return [label_at[s] for s in label_starts[i:j]]

    prev_numeric_line = -2
    for li, (line, ls) in enumerate(zip(lines, line_starts, strict=True)):
        le = ls + len(line)
        if MD_RULE_RE.match(line) and "-" in line and not RUN_RE.search(line.replace("-", " ")):
            continue
        if "\t" in line or line.lstrip().startswith("|"):
            unit += 1
            cells = _cells(line, ls)
            for a, b in cells:
                raw = text[a:b]
                labs = labels_in(a, b)
                content = masked[a - start : b - start].strip()
                if labs:
                    items.extend(lab.model_copy(update={"unit": unit}) for lab in labs)
                    # a label and its number in one cell ('行政许可 97'): the number follows the label
                    for m in RUN_RE.finditer(masked, labs[-1].span.end - start, b - start):
                        items.append(Item(kind="num", span=Span(start=start + m.start(), end=start + m.end()), text=m.group(), unit=unit, unit_kind="inline"))
                num = _DELIMITED_NUM_RE.match(content.replace(" ", ""))
                if num and not labs:
                    digits = _DIGITS_RE.search(masked, a - start, b - start)
                    assert digits is not None
                    span = Span(start=start + digits.start(), end=start + digits.end())
                    items.append(Item(kind="num", span=span, text=num.group(1), unit=unit, explicit=True, unit_kind="delimited"))
                elif content in _BLANK_MARKS and not labs and raw.strip() in _BLANK_MARKS:
                    items.append(Item(kind="blank", span=Span(start=a, end=b), unit=unit, explicit=True, unit_kind="delimited"))
            prev_numeric_line = -2
            continue
        line_labels = labels_in(ls, le)
        runs = list(RUN_RE.finditer(masked, ls - start, le - start))
        numeric_line = bool(runs) and not line_labels and not re.search(rf"[{_CJK}A-Za-z]", masked[ls - start : le - start])
        if numeric_line:
            if prev_numeric_line != li - 1:
                unit += 1
            for m in runs:
                items.append(Item(kind="num", span=Span(start=start + m.start(), end=start + m.end()), text=m.group(), unit=unit, unit_kind="lines"))
            prev_numeric_line = li
            continue
        # A text line: labels and runs interleaved; runs between two labels form one unit.
        events = [(lab.span.start, lab) for lab in line_labels] + [
            (start + m.start(), Item(kind="num", span=Span(start=start + m.start(), end=start + m.end()), text=m.group(), unit_kind="inline"))
            for m in runs
        ]
        events.sort(key=lambda e: e[0])
        last_kind = None
        for _, item in events:
            if item.kind == "label":
                unit += 1
                items.append(item.model_copy(update={"unit": unit}))
            else:
                if last_kind != "num":
                    unit += 1
                items.append(item.model_copy(update={"unit": unit}))
            last_kind = item.kind
        prev_numeric_line = -2
    return _blank_cells_from_gaps(text, items)


def _cells(line: str, line_start: int) -> list[tuple[int, int]]:
    """Cell spans of a tab- or pipe-delimited line."""
    sep = "\t" if "\t" in line else "|"
    out: list[tuple[int, int]] = []
    pos = 0
    parts = line.split(sep)
    if sep == "|":
        # '| a | b |' -> drop the empty ends outside the outer pipes
        first, last = 0, len(parts)
        if parts and not parts[0].strip():
            pos += len(parts[0]) + 1
            first = 1
        if len(parts) > 1 and not parts[-1].strip():
            last = len(parts) - 1
        for part in parts[first:last]:
            out.append((line_start + pos, line_start + pos + len(part)))
            pos += len(part) + 1
        return out
    for part in parts:
        out.append((line_start + pos, line_start + pos + len(part)))
        pos += len(part) + 1
    return out


def _blank_cells_from_gaps(text: str, items: list[Item]) -> list[Item]:
    """One-cell-per-line tables with blank lines between cells: turn extra blank lines into blank cells.

    Only when the cells are separated by at least two blank lines (a gap of
    three line breaks) — a single blank line is too common in PDF text to
    carry meaning. Each further three line breaks is one blank cell.
    """
    lone = [it for it in items if it.kind != "blank" and it.unit_kind in ("lines", "inline")]
    if len(lone) < 3:
        return items
    gaps = []
    for a, b in zip(lone, lone[1:], strict=False):
        between = text[a.span.end : b.span.start]
        if between.strip():
            continue
        gaps.append(between.count("\n"))
    if not gaps or min(gaps) < 3:
        return items
    unit_gap = min(gaps)
    out: list[Item] = []
    prev: Item | None = None
    for it in items:
        if prev is not None and it.kind != "blank" and prev.kind != "blank":
            between = text[prev.span.end : it.span.start]
            if not between.strip():
                n_blank = (between.count("\n") - unit_gap) // unit_gap
                for _ in range(n_blank):
                    pos = prev.span.end + 1
                    out.append(Item(kind="blank", span=Span(start=pos, end=pos), unit=-1, explicit=True, unit_kind="lines"))
        if it.kind == "num":
            it = it.model_copy(update={"explicit": True})
        out.append(it)
        prev = it
    return out
