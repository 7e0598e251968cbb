"""From the words and ruling lines of a page to text lines and table grids (pure geometry).

Ruling lines that cross each other make a table: the distinct positions of
its horizontal and vertical rules are the grid, and where a rule is missing
between two grid positions the cells on both sides are one merged cell
(``rowspan``/``colspan``). Each recognised word falls into the cell that holds
its centre. Where a page has no rules, a run of lines whose words stand in
the same columns (three or more, with wide gaps) is a table too: its rows are
the lines, its columns the x-ranges the words share.

Tables are written as every other loader writes them: one line per row,
cells separated by a tab, a merged cell once, in its first row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from extractor.ocr.models import PageScan, Segment, Word

COVER = 0.5  # a rule separates two cells when it runs along at least half of their common edge


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    top: float
    x1: float
    bottom: float
    words: list[Word] = field(default_factory=list)


@dataclass
class Grid:
    """A table on one page: its cells (grid positions and boxes) and its column rules."""

    cells: list[GridCell]
    xs: list[float]
    top: float
    bottom: float
    x0: float
    x1: float
    nrows: int
    ruled: bool = True
    open_top: bool = False  # no rule closes it there: cut by the page edge
    open_bottom: bool = False


@dataclass
class Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def left(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def right(self) -> float:
        return max(w.x1 for w in self.words)


# ---------------------------------------------------------------- small helpers


def _cluster(values: Sequence[float], tol: float) -> list[float]:
    """Positions closer than ``tol`` are one position (their mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _coverage(segments: Sequence[Segment], at: float, lo: float, hi: float, tol: float) -> float:
    """How much of ``[lo, hi]`` the segments lying at ``at`` cover (0..1)."""
    spans = sorted((max(lo, s.start), min(hi, s.end)) for s in segments if abs(s.at - at) <= tol)
    covered, reach = 0.0, lo
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            covered += b - a
            reach = b
    return covered / (hi - lo) if hi > lo else 0.0


def _along(s: Segment, lo: float, hi: float) -> float:
    """How much of ``[lo, hi]`` one segment covers (0..1)."""
    return max(0.0, min(hi, s.end) - max(lo, s.start)) / (hi - lo) if hi > lo else 0.0


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def text_height(words: Sequence[Word]) -> float:
    return median(w.height for w in words) if words else 10.0


def join_words(words: Sequence[Word], height: float) -> str:
    """Words of one cell or line in reading order: lines top to bottom, words left to right.

    Chinese needs no spaces; a wide gap, or Latin letters/digits meeting, keeps one.
    """
    out = ""
    for line in group_lines(words):
        prev: Word | None = None
        for w in sorted(line.words, key=lambda w: w.x0):
            latin = bool(out) and _latin(out[-1]) and _latin(w.text[0])
            if out and (latin or (prev is not None and w.x0 - prev.x1 > height)):
                out += " "
            out += w.text
            prev = w
    return out


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def group_lines(words: Sequence[Word]) -> list[Line]:
    """Words that share most of their height are one line; lines top to bottom."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        for line in reversed(lines[-3:]):
            overlap = min(line.bottom, w.bottom) - max(line.top, w.top)
            if overlap >= 0.5 * min(w.height, line.bottom - line.top):
                line.words.append(w)
                break
        else:
            lines.append(Line([w]))
    lines.sort(key=lambda ln: ln.top)
    return lines


# ---------------------------------------------------------------- ruled tables


def ruled_grids(scan: PageScan, tol: float) -> list[Grid]:
    """Tables drawn with rules: crossing horizontal and vertical lines, cut into (merged) cells."""
    hs, vs = scan.horizontal, scan.vertical
    n = len(hs) + len(vs)
    uf = _Union(n)
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.start - tol <= v.at <= h.end + tol and v.start - tol <= h.at <= v.end + tol:
                uf.join(i, len(hs) + j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    grids: list[Grid] = []
    for members in groups.values():
        gh = [hs[i] for i in members if i < len(hs)]
        gv = [vs[i - len(hs)] for i in members if i >= len(hs)]
        if len(gh) < 2 or len(gv) < 2:
            continue
        ys = _cluster([s.at for s in gh], tol)
        # a column rule runs down at least one row; a glyph stroke touching the table from outside does not
        gv = [v for v in gv if any(_along(v, ys[i], ys[i + 1]) >= COVER for i in range(len(ys) - 1))]
        xs = _cluster([s.at for s in gv], tol)
        if len(ys) < 2 or len(xs) < 2:
            continue
        # A table cut by the page edge has no closing rule there: its column rules run past the last
        # (or before the first) row rule, and the page edge closes that row.
        # (At least half of the column rules, two or more, must run past: a lone long stroke of a
        # heading just above or below the table is no column rule.)
        left, right = xs[0], xs[-1]
        below = sorted(s.end for s in gv if s.end - ys[-1] > 3 * tol)
        above = sorted(s.start for s in gv if ys[0] - s.start > 3 * tol)
        enough = max(2, (len(xs) + 1) // 2)
        open_top = open_bottom = False
        if len(below) >= enough:
            bottom = below[len(below) // 2]
            ys.append(bottom)
            gh = [*gh, Segment(at=bottom, start=left, end=right)]
            open_bottom = True
        if len(above) >= enough:
            top = above[len(above) // 2]
            ys.insert(0, top)
            gh = [*gh, Segment(at=top, start=left, end=right)]
            open_top = True
        grid = _cut(ys, xs, gh, gv, tol)
        grid.open_top, grid.open_bottom = open_top, open_bottom
        grids.append(grid)
    return grids


def _cut(ys: list[float], xs: list[float], hs: list[Segment], vs: list[Segment], tol: float) -> Grid:
    """Merge the elementary cells of a grid that no rule separates."""
    nr, nc = len(ys) - 1, len(xs) - 1
    uf = _Union(nr * nc)
    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and _coverage(vs, xs[j + 1], ys[i], ys[i + 1], tol) < COVER:
                uf.join(i * nc + j, i * nc + j + 1)
            if i + 1 < nr and _coverage(hs, ys[i + 1], xs[j], xs[j + 1], tol) < COVER:
                uf.join(i * nc + j, (i + 1) * nc + j)
    boxes: dict[int, list[int]] = {}
    for i in range(nr):
        for j in range(nc):
            r = uf.find(i * nc + j)
            b = boxes.setdefault(r, [i, j, i, j])
            b[0], b[1], b[2], b[3] = min(b[0], i), min(b[1], j), max(b[2], i), max(b[3], j)
    cells = [
        GridCell(
            row=r0, col=c0, rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1,
            x0=xs[c0], top=ys[r0], x1=xs[c1 + 1], bottom=ys[r1 + 1],
        )
        for r0, c0, r1, c1 in boxes.values()
    ]
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(cells=cells, xs=xs, top=ys[0], bottom=ys[-1], x0=xs[0], x1=xs[-1], nrows=nr)


def _split(grids: Sequence[Grid], w: Word) -> list[Word]:
    """A word the detector ran across cell rules (a header of narrow columns), cut at the rules by its characters."""
    if not w.chars or len(w.chars) < 2:
        return [w]
    for g in grids:
        if not (g.x0 <= w.cx <= g.x1 and g.top <= w.cy <= g.bottom):
            continue
        owner = [min(range(len(g.cells)), key=lambda i: _distance(g.cells[i], (a + c) / 2, (b + d) / 2))
                 for a, b, c, d in w.chars]
        if len(set(owner)) == 1:
            return [w]
        parts: list[Word] = []
        start = 0
        for k in range(1, len(owner) + 1):
            if k == len(owner) or owner[k] != owner[start]:
                text = w.text[start:k].strip()
                boxes = w.chars[start:k]
                if text:
                    parts.append(Word(
                        text=text, confidence=w.confidence, chars=boxes, x0=min(b[0] for b in boxes),
                        top=min(b[1] for b in boxes), x1=max(b[2] for b in boxes), bottom=max(b[3] for b in boxes),
                    ))
                start = k
        return parts
    return [w]


def place_words(grids: Sequence[Grid], words: Sequence[Word], tol: float) -> list[Word]:
    """Put each word into the grid cell holding its centre; return the words outside every table."""
    rest: list[Word] = []
    for w in (part for word in words for part in _split(grids, word)):
        for g in grids:
            if g.x0 - tol <= w.cx <= g.x1 + tol and g.top - tol <= w.cy <= g.bottom + tol:
                cell = min(g.cells, key=lambda c: _distance(c, w.cx, w.cy))
                cell.words.append(w)
                break
        else:
            rest.append(w)
    return rest


def _distance(c: GridCell, x: float, y: float) -> float:
    dx = max(c.x0 - x, 0.0, x - c.x1)
    dy = max(c.top - y, 0.0, y - c.bottom)
    return dx + dy


# ---------------------------------------------------------------- tables from alignment


def aligned_grids(lines: Sequence[Line], height: float) -> tuple[list[Grid], list[Line]]:
    """Tables without rules: runs of 2+ lines with 3+ words each, apart by wide gaps, sharing columns."""

    def columnar(line: Line) -> bool:
        ws = sorted(line.words, key=lambda w: w.x0)
        gaps = [b.x0 - a.x1 for a, b in zip(ws, ws[1:], strict=False)]
        return len(ws) >= 3 and sum(g > 1.5 * height for g in gaps) >= 2

    grids: list[Grid] = []
    rest: list[Line] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and columnar(lines[j]):
            j += 1
        if j - i >= 2:
            grid = _aligned(lines[i:j], height)
            if grid is not None:
                grids.append(grid)
                i = j
                continue
        rest.extend(lines[i : max(j, i + 1)])
        i = max(j, i + 1)
    return grids, rest


def _aligned(lines: Sequence[Line], height: float) -> Grid | None:
    spans = sorted((w.x0, w.x1) for ln in lines for w in ln.words)
    cols: list[list[float]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1] + 0.5 * height:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    if len(cols) < 3:
        return None
    cells: list[GridCell] = []
    for r, ln in enumerate(lines):
        top, bottom = ln.top, ln.bottom
        for c, (a, b) in enumerate(cols):
            cell = GridCell(row=r, col=c, rowspan=1, colspan=1, x0=a, top=top, x1=b, bottom=bottom)
            cell.words = [w for w in ln.words if a <= w.cx <= b]
            cells.append(cell)
    xs = [c[0] for c in cols] + [cols[-1][1]]
    top, bottom = lines[0].top, lines[-1].bottom
    return Grid(cells=cells, xs=xs, top=top, bottom=bottom, x0=xs[0], x1=xs[-1], nrows=len(lines), ruled=False)


# ---------------------------------------------------------------- the page


@dataclass
class Block:
    """A text line or a table, in reading order."""

    top: float
    line: Line | None = None
    grid: Grid | None = None


def page_blocks(scan: PageScan) -> tuple[list[Block], float]:
    """The page's text lines and tables, top to bottom, and the typical text height."""
    height = text_height(scan.words)
    tol = max(2.0, 0.3 * height)
    grids = ruled_grids(scan, tol)
    rest = place_words(grids, scan.words, tol)
    lines = group_lines(rest)
    loose, lines = aligned_grids(lines, height)
    grids = [g for g in grids if any(c.words for c in g.cells)] + loose
    blocks = [Block(top=g.top, grid=g) for g in grids] + [Block(top=ln.top, line=ln) for ln in lines]
    blocks.sort(key=lambda b: b.top)
    return blocks, height
