"""One PDF page as blocks in reading order: lines of text and table grids, with their boxes.

* **Page headers/footers** (``- 3 -``, ``— 7 —``, ``第 3 页``, ``3/12``) in the
  top or bottom margin are dropped before anything else, so they can never
  land in a table or the text; a bare page number is dropped when it is the
  first or last line of the page, in the margin and outside any table.
* **Ruled tables** come from the page's visible ruling lines
  (``page.find_tables()``); filled rectangles without a stroke that are white
  (text backgrounds some editors draw behind every line) are not rules. A
  "table" of one column is a box around text, not a grid.
* **Tables without rules** are found by alignment: consecutive lines that
  break into the same columns at wide gaps (see ``pdf_aligned``).
* **Cell text**: the lines inside a cell are joined (no space between Chinese
  characters or the two halves of a wrapped number, one between words); a
  cell printed one character per line (``自\\n然\\n人``) reads as one label, and
  so does text turned on its side (Word's vertical text direction).
* Text drawn twice for "bold" reads once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from pdfplumber.utils import extract_text
from pdfplumber.utils.text import chars_to_textmap, dedupe_chars

from extractor.document import Box
from extractor.normalize import compact, normalize

Char = dict[str, Any]


@dataclass
class PdfLine:
    text: str
    box: Box
    confidence: float | None = None  # OCR: the recogniser's confidence


@dataclass
class PdfCell:
    text: str
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box
    open_top: bool = False  # no rule drawn along its top (bottom): cut by a page break
    open_bottom: bool = False
    confidence: float | None = None  # OCR: the recogniser's (lowest) confidence in its text


@dataclass
class PdfTable:
    cells: list[PdfCell]
    nrows: int
    x_edges: list[float]  # the column rules, left to right
    box: Box  # of its part on the last page it covers
    pages: list[int] = field(default_factory=list)

    def row_cells(self, row: int) -> list[PdfCell]:
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)


Block = PdfLine | PdfTable


@dataclass
class PdfPage:
    number: int
    height: float
    blocks: list[Block]


_PAGE_NUMBER = re.compile(
    r"[-—–―─－~_·•]+\d{1,4}[-—–―─－~_·•]+"  # - 3 -   — 7 —
    r"|第\d{1,4}页(共\d{1,4}页)?|共\d{1,4}页第\d{1,4}页"  # 第 3 页
    r"|\d{1,4}/\d{1,4}|page\d{1,4}(of\d{1,4})?",
    re.I,
)
_BARE_NUMBER = re.compile(r"\d{1,4}")
_TOP_MARGIN, _BOTTOM_MARGIN = 0.10, 0.15  # fractions of the page height where headers/footers live
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_EDGE_TOLERANCE = 2.0  # points: two rules closer than this are one


def _compact(s: str) -> str:
    return compact(normalize(s))


def _lines(chars: list[Char]) -> list[dict[str, Any]]:
    """pdfplumber's text lines (text, x0, top, x1, bottom, chars) of ``chars``."""
    if not chars:
        return []
    return chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=True)


def _box(page: int, obj: dict[str, Any] | tuple[float, float, float, float]) -> Box:
    if isinstance(obj, tuple):
        x0, top, x1, bottom = obj
    else:
        x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
    return Box(page=page, x0=round(x0, 2), top=round(top, 2), x1=round(x1, 2), bottom=round(bottom, 2))


def drop_page_numbers(chars: list[Char], height: float) -> list[Char]:
    """``chars`` without the page header/footer lines that are page numbers (``- 3 -``, ``第 3 页``)."""
    margin = [c for c in chars if c["bottom"] < height * _TOP_MARGIN or c["top"] > height * (1 - _BOTTOM_MARGIN)]
    drop: set[int] = set()
    for line in _lines(margin):
        if _PAGE_NUMBER.fullmatch(_compact(line["text"])):
            drop.update(id(c) for c in line["chars"])
    return [c for c in chars if id(c) not in drop] if drop else chars


def _once(chars: list[Char]) -> list[Char]:
    """Each glyph once: "bold" printed as the same text drawn twice, a hair apart, reads as one."""
    seen: set[tuple[str, int, int]] = set()
    for c in chars:
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen:
            return dedupe_chars(chars, tolerance=1)
        seen.add(key)
    return chars


def _is_rule(obj: dict[str, Any]) -> bool:
    """A drawn object that can be a table rule: not a white (invisible) filled box without a stroke."""
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return True
    if not obj.get("fill"):
        return False
    color = obj.get("non_stroking_color")
    white = isinstance(color, (tuple, list)) and len(color) in (1, 3, 4) and _is_white(tuple(color))
    return not white


def _is_white(color: tuple[Any, ...]) -> bool:
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return False
    if len(values) == 4:  # CMYK
        return all(v <= 0.02 for v in values)
    return all(v >= 0.98 for v in values)


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EDGE_TOLERANCE:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    """The edge nearest to ``v``."""
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _distance(box: Box, x: float, y: float) -> float:
    return max(box.x0 - x, 0.0, x - box.x1) + max(box.top - y, 0.0, y - box.bottom)


def _ruled(horizontal: list[dict[str, Any]], y: float, x0: float, x1: float) -> bool:
    """Rules drawn at height ``y`` cover at least half of ``[x0, x1]``."""
    covered = sum(
        max(0.0, min(e["x1"], x1) - max(e["x0"], x0)) for e in horizontal if abs(e["top"] - y) <= _EDGE_TOLERANCE
    )
    return covered >= 0.5 * (x1 - x0)


def _closed_outlines(edges: list[dict[str, Any]], bboxes: list[tuple[float, float, float, float]]) -> dict[str, Any]:
    """Table settings that add each table's outline: lines along the far ends of the rules that touch it."""
    tol = _EDGE_TOLERANCE
    hs: list[dict[str, Any]] = []
    vs: list[dict[str, Any]] = []
    for x0, top, x1, bottom in bboxes:
        mine = [
            e for e in edges
            if e["x1"] >= x0 - tol and e["x0"] <= x1 + tol and e["bottom"] >= top - tol and e["top"] <= bottom + tol
        ]
        if not mine:
            continue
        left, right = min(e["x0"] for e in mine), max(e["x1"] for e in mine)
        upper, lower = min(e["top"] for e in mine), max(e["bottom"] for e in mine)
        for y in (upper, lower):
            hs.append(_line(left, y, right, y))
        for x in (left, right):
            vs.append(_line(x, upper, x, lower))
    return {"explicit_horizontal_lines": hs, "explicit_vertical_lines": vs}


def _line(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return {
        "object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
        "width": x1 - x0, "height": bottom - top,
    }


def _rotated_lines(chars: list[Char]) -> list[str]:
    """Text turned on its side (Word's vertical text direction): its columns, in reading order.

    Turned counter-clockwise (the pen moves up the page) it reads bottom to
    top, its lines left to right; turned clockwise, top to bottom, right to left.
    """
    up = sum(1 for c in chars if (c.get("matrix") or (1, 0))[1] > 0) * 2 > len(chars)
    columns: list[list[Char]] = []
    for c in sorted(chars, key=lambda c: (c["x0"] + c["x1"]) / 2):
        middle = (c["x0"] + c["x1"]) / 2
        if columns and middle - (columns[-1][-1]["x0"] + columns[-1][-1]["x1"]) / 2 <= (c["x1"] - c["x0"]) / 2:
            columns[-1].append(c)
        else:
            columns.append([c])
    if not up:
        columns.reverse()
    return ["".join(c["text"] for c in sorted(col, key=lambda c: c["top"], reverse=up)) for col in columns]


def cell_text(chars: list[Char]) -> str:
    """A cell's text: its lines joined; one character per line (a vertical label) reads as one word.

    Lines join without a space where either side is Chinese (wrapped text) or
    both are digits (a number wrapped in a narrow column), with one otherwise.
    """
    rotated = [c for c in chars if not c.get("upright", True)]
    if 2 * len(rotated) > len(chars):
        lines = _rotated_lines(rotated)
    else:
        lines = [ln.strip() for ln in extract_text(chars).split("\n")]
    lines = [ln for ln in lines if ln]
    out = ""
    for ln in lines:
        wrapped = _CJK.match(out[-1:]) or _CJK.match(ln[0]) or (out[-1:].isdigit() and ln[0] in "0123456789.,")
        if out and not wrapped:
            out += " "
        out += ln
    # justified Chinese labels come out spaced ("商 业 企 业"): a space between two Chinese characters is layout
    out = re.sub(rf"(?<={_CJK.pattern}) +(?={_CJK.pattern})", "", out)
    return out.replace("\t", " ")


def ruled_tables(page: Any, number: int, chars: list[Char]) -> tuple[list[PdfTable], list[Char]]:
    """The page's ruled tables as grids, and the characters outside them."""
    ruled = page.filter(_is_rule)
    found = ruled.find_tables()
    drawn = [e for e in ruled.edges if e["orientation"] == "h"]
    if found:  # again, with each table's outline closed (a table cut by a page break has an open side)
        found = ruled.find_tables(_closed_outlines(ruled.edges, [t.bbox for t in found]))
    tables: list[PdfTable] = []
    taken: set[int] = set()
    for t in found:
        bboxes = [tuple(c) for c in t.cells]
        xs = _cluster([b[0] for b in bboxes] + [b[2] for b in bboxes])
        ys = _cluster([b[1] for b in bboxes] + [b[3] for b in bboxes])
        if len(xs) < 3 or len(ys) < 2:
            continue  # one column: a box drawn around text, not a table
        grid: dict[tuple[int, int], int] = {}
        cells: list[PdfCell] = []
        for b in bboxes:
            c0, c1 = _index(xs, b[0]), _index(xs, b[2])
            r0, r1 = _index(ys, b[1]), _index(ys, b[3])
            if c1 <= c0 or r1 <= r0 or any((r, c) in grid for r in range(r0, r1) for c in range(c0, c1)):
                continue
            for r in range(r0, r1):
                for c in range(c0, c1):
                    grid[(r, c)] = len(cells)
            cell = PdfCell("", r0, c0, r1 - r0, c1 - c0, _box(number, b))
            cell.open_top = not _ruled(drawn, b[1], b[0], b[2])
            cell.open_bottom = not _ruled(drawn, b[3], b[0], b[2])
            cells.append(cell)
        x0, top, x1, bottom = t.bbox
        inside: list[list[Char]] = [[] for _ in cells]
        for ch in chars:
            cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
            if not (x0 <= cx <= x1 and top <= cy <= bottom):
                continue
            k = grid.get((bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1))
            if k is None:  # in a gap of the grid: the nearest cell
                k = min(range(len(cells)), key=lambda i: _distance(cells[i].box, cx, cy))
            inside[k].append(ch)
            taken.add(id(ch))
        for cell, cs in zip(cells, inside, strict=True):
            cell.text = cell_text(cs) if cs else ""
        tables.append(PdfTable(cells, len(ys) - 1, xs, _box(number, t.bbox), [number]))
    rest = [c for c in chars if id(c) not in taken] if taken else chars
    return tables, rest


def read_page(page: Any, number: int, chars: list[Char] | None = None) -> PdfPage:
    """The blocks of one pdfplumber page, top to bottom."""
    from extractor.loading.pdf_aligned import aligned_tables

    height = float(page.height)
    chars = drop_page_numbers(_once(chars if chars is not None else page.chars), height)
    tables, rest = ruled_tables(page, number, chars)
    raw = _lines(rest)
    lines = [PdfLine(ln["text"], _box(number, ln)) for ln in raw]
    chars_of = {id(line): ln["chars"] for line, ln in zip(lines, raw, strict=True)}
    lines = _drop_bare_page_number(lines, tables, height)
    found, lines = aligned_tables(lines, chars_of, number)
    tables += found
    blocks: list[Block] = [*lines, *tables]
    blocks.sort(key=lambda b: b.box.top)
    return PdfPage(number, height, blocks)


def _drop_bare_page_number(lines: list[PdfLine], tables: list[PdfTable], height: float) -> list[PdfLine]:
    """A lone number as the first or last line of the page, in the margin and below/above every table."""
    if not lines:
        return lines
    out = list(lines)
    last = max(out, key=lambda ln: ln.box.top)
    if (
        _BARE_NUMBER.fullmatch(_compact(last.text))
        and last.box.top > height * (1 - _BOTTOM_MARGIN)
        and all(t.box.bottom < last.box.top for t in tables)
    ):
        out.remove(last)
    if out:
        first = min(out, key=lambda ln: ln.box.top)
        if (
            _BARE_NUMBER.fullmatch(_compact(first.text))
            and first.box.bottom < height * _TOP_MARGIN
            and all(t.box.top > first.box.bottom for t in tables)
        ):
            out.remove(first)
    return out


def drop_page_number_lines(lines: list[PdfLine], tables: list[PdfTable], height: float) -> list[PdfLine]:
    """Lines (OCR's, which has no characters to test) that are page headers/footers with a page number."""
    margin = [ln for ln in lines if ln.box.bottom < height * _TOP_MARGIN or ln.box.top > height * (1 - _BOTTOM_MARGIN)]
    drop = {id(ln) for ln in margin if _PAGE_NUMBER.fullmatch(_compact(ln.text))}
    return _drop_bare_page_number([ln for ln in lines if id(ln) not in drop], tables, height)
