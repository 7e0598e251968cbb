"""What runs across pages of a PDF: tables continued over a page break, running headers and footers.

A table continued on the next page is one table when it ends its page, the
next part starts the next page (only lines printed beside it, left of its
rules, may come first), and the two parts agree on their column rules: those
of one are among the other's, or they share a run of rules from an outer edge
over most of the table (label columns are often cut differently on each side
of the break). Its rows run on; a cell cut by the break (a vertical label, a
group label) spans on; a header row the next part repeats is dropped.
"""

from __future__ import annotations

import re

from extractor.loading.pdf_page import PdfCell, PdfLine, PdfPage, PdfTable

_EDGE_MATCH = 5.0  # points: two column rules this close on the two sides of a break are the same rule

_RUNNING_MARGIN = 0.08  # fraction of the page height at top and bottom where running headers/footers sit


def _running_key(line: PdfLine) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


def drop_running_lines(pages: list[PdfPage]) -> list[PdfPage]:
    """Drop running headers/footers: the same line (numbers aside) in the top or bottom margin of most pages.

    "Most" is at least three pages and half of them: a document title, "淮安市人民政府办公室 第 # 页".
    """
    if len(pages) < 3:
        return pages

    def margin_lines(page: PdfPage) -> list[PdfLine]:
        edge = page.height * _RUNNING_MARGIN
        return [
            b for b in page.blocks
            if isinstance(b, PdfLine) and (b.box.bottom < edge or b.box.top > page.height - edge)
        ]

    seen: dict[str, int] = {}
    for page in pages:
        for key in {_running_key(b) for b in margin_lines(page)}:
            seen[key] = seen.get(key, 0) + 1
    running = {k for k, n in seen.items() if k and n >= 3 and 2 * n >= len(pages)}
    if running:
        for page in pages:
            drop = [b for b in margin_lines(page) if _running_key(b) in running]
            page.blocks = [b for b in page.blocks if not any(b is d for d in drop)]
    return pages


def _within(xs: list[float], ys: list[float]) -> bool:
    return all(any(abs(x - y) <= _EDGE_MATCH for y in ys) for x in xs)


def _continues(first: PdfTable, nxt: PdfTable) -> bool:
    """``nxt`` goes on with ``first``: same column rules, as far as both parts draw them.

    An outer rule is shared, and either the rules of one part are among the
    other's (a first part whose header merges the label columns has fewer
    rules than the body rows after the break), or the two agree on a run of
    rules from that outer edge over most of the table (the data columns), where
    the label columns are cut differently on each side of the break.
    """
    a, b = first.x_edges, nxt.x_edges
    if min(len(a), len(b)) < 3:
        return False
    if abs(a[0] - b[0]) > _EDGE_MATCH and abs(a[-1] - b[-1]) > _EDGE_MATCH:
        return False
    if _within(b, a) or _within(a, b):
        return True
    need = max(3, -(-3 * min(len(a), len(b)) // 5))
    return _same_run(a[::-1], b[::-1]) >= need or _same_run(a, b) >= need


def _same_run(a: list[float], b: list[float]) -> int:
    """How many rules ``a`` and ``b`` share from their first one on, pair by pair."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if abs(x - y) > _EDGE_MATCH:
            break
        n += 1
    return n


def _leading_table(page: PdfPage) -> tuple[PdfTable | None, list[PdfLine]]:
    """The table a page starts with, and the lines printed beside it (left of its rules, within its height)."""
    tables = [b for b in page.blocks if isinstance(b, PdfTable)]
    if not tables:
        return None, []
    table = tables[0]
    tol = _EDGE_MATCH

    def beside(b: object) -> bool:
        return (
            isinstance(b, PdfLine)
            and b.box.top >= table.box.top - tol
            and b.box.bottom <= table.box.bottom + tol
            and b.box.x1 <= table.box.x0 + tol
        )

    if not all(beside(b) for b in page.blocks[: page.blocks.index(table)]):
        return None, []
    return table, [b for b in page.blocks if isinstance(b, PdfLine) and beside(b)]


def _regrid(table: PdfTable, edges: list[float]) -> None:
    """Renumber the columns of ``table``'s cells in the grid of ``edges`` (a superset of its own rules)."""
    column = [_nearest(edges, x) for x in table.x_edges]
    for c in table.cells:
        if c.col + c.colspan < len(column):
            c.col, c.colspan = column[c.col], max(1, column[c.col + c.colspan] - column[c.col])
    table.x_edges = edges


def join_continued(pages: list[PdfPage]) -> list[PdfPage]:
    """Join each table continued at the top of the next page to its first part (rows run on).

    The joined table stays the last block of the first page and becomes the
    first block of the next (so a third part can join it too); it is written
    once. Lines printed beside the next part, where the first part has a
    column the next part lacks (a vertical label cut by the break), go into
    the first part's cell there.
    """
    for prev, page in zip(pages, pages[1:], strict=False):
        if not prev.blocks or not page.blocks or prev.number + 1 != page.number:
            continue
        first = prev.blocks[-1]
        nxt, beside = _leading_table(page)
        if not (isinstance(first, PdfTable) and nxt is not None and _continues(first, nxt)):
            continue
        if _repeats_header(first, nxt):
            nxt.cells = [c for c in nxt.cells if c.row > 0]
        edges = _merged_edges(first.x_edges + nxt.x_edges)
        _regrid(first, edges)
        _regrid(nxt, edges)
        offset = first.nrows - min((c.row for c in nxt.cells), default=0)
        for c in nxt.cells:
            c.row += offset
        added = _carry_over(first, nxt.cells, offset)
        rows = max((c.row + c.rowspan for c in nxt.cells), default=first.nrows) - first.nrows
        _take_beside(first, beside, rows, page)
        first.cells.extend(added)
        first.nrows = max((c.row + c.rowspan for c in first.cells), default=first.nrows)
        first.pages.extend(nxt.pages)
        page.blocks[page.blocks.index(nxt)] = first
    return pages


def _merged_edges(xs: list[float]) -> list[float]:
    out: list[float] = []
    for x in sorted(xs):
        if not out or x - out[-1] > _EDGE_MATCH:
            out.append(x)
    return out


def _take_beside(first: PdfTable, lines: list[PdfLine], rows: int, page: PdfPage) -> None:
    """Lines beside the next part, left of its rules: the rest of the first part's cell in that column."""
    bottom = [c for c in first.cells if c.row + c.rowspan == first.nrows]
    for line in sorted(lines, key=lambda ln: ln.box.top):
        x = (line.box.x0 + line.box.x1) / 2
        cell = next((c for c in bottom if c.box.x0 <= x <= c.box.x1), None)
        if cell is None:
            continue
        cell.text += line.text.replace(" ", "")
        if line.confidence is not None:
            cell.confidence = min(line.confidence, cell.confidence if cell.confidence is not None else 1.0)
        if cell.row + cell.rowspan == first.nrows:
            cell.rowspan += rows
        page.blocks.remove(line)


def _carry_over(first: PdfTable, cells: list[PdfCell], start: int) -> list[PdfCell]:
    """``cells`` of the next part, less those that only continue a cell cut by the page break.

    A cell at the bottom of the first part (a vertical label, a group label
    spanning rows) is cut by the break when the cell in the same columns at
    the top of the next part is its empty rest, or when neither has a rule
    drawn at the break: the two are one cell, which spans on (its text joined).
    """
    open_cells = {(c.col, c.colspan): c for c in first.cells if c.row + c.rowspan == first.nrows}
    out: list[PdfCell] = []
    for c in cells:
        above = open_cells.get((c.col, c.colspan))
        cut = above is not None and ((above.open_bottom and c.open_top) or (above.text and not c.text))
        if c.row == start and above is not None and cut:
            above.rowspan += c.rowspan
            above.text += c.text
            above.open_bottom = c.open_bottom
            if c.confidence is not None:  # OCR: the joined text is as sure as its least sure part
                above.confidence = min(c.confidence, above.confidence if above.confidence is not None else 1.0)
            continue
        out.append(c)
    return out


def _nearest(edges: list[float], x: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - x))


def _repeats_header(first: PdfTable, nxt: PdfTable) -> bool:
    """The continued part starts with the first part's header row again."""
    head = [c.text for c in first.row_cells(0)]
    again = [c.text for c in nxt.row_cells(0)]
    return bool(head) and any(head) and head == again
