"""Tables printed without ruling lines, found by text alignment.

A line of such a table breaks into pieces at wide gaps (wider than one and a
half characters of its font: justified prose never has one). Three or more
consecutive lines that break that way, two of them into three pieces or more,
are a table; its columns are the stretches of the page their pieces cover
(a piece that straddles several columns spans them). Each line is one row.
"""

from __future__ import annotations

from typing import Any

from extractor.document import Box
from extractor.loading.pdf_page import PdfCell, PdfLine, PdfTable, cell_text

Char = dict[str, Any]
_GAP = 1.5  # a gap wider than this many font sizes separates two cells
_MIN_ROWS = 3


def _pieces(chars: list[Char]) -> list[list[Char]]:
    """The chars of one line, split at wide gaps."""
    out: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if not ch["text"].strip():
            continue
        if out and ch["x0"] - out[-1][-1]["x1"] <= _GAP * max(float(ch.get("size") or 0), 4.0):
            out[-1].append(ch)
        else:
            out.append([ch])
    return out


def _columns(rows: list[list[list[Char]]]) -> list[tuple[float, float]]:
    """The stretches of x covered by the pieces of the rows with the most pieces (the body rows)."""
    spans = sorted((p[0]["x0"], p[-1]["x1"]) for row in rows if len(row) >= 3 for p in row)
    cols: list[tuple[float, float]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1]:
            cols[-1] = (cols[-1][0], max(cols[-1][1], b))
        else:
            cols.append((a, b))
    return cols


def _table(lines: list[tuple[PdfLine, list[list[Char]]]], number: int) -> PdfTable | None:
    rows = [pieces for _, pieces in lines]
    cols = _columns(rows)
    if len(cols) < 2:
        return None
    cells: list[PdfCell] = []
    for r, pieces in enumerate(rows):
        used: dict[int, PdfCell] = {}
        for piece in pieces:
            a, b = piece[0]["x0"], piece[-1]["x1"]
            hit = [k for k, (c0, c1) in enumerate(cols) if a < c1 and b > c0] or [
                min(range(len(cols)), key=lambda k: abs(cols[k][0] - a))
            ]
            first, last = hit[0], hit[-1]
            top, bottom = min(c["top"] for c in piece), max(c["bottom"] for c in piece)
            if first in used:  # two pieces in one column: one cell
                cell = used[first]
                cell.text += " " + cell_text(piece)
                cell.box = cell.box.model_copy(update={"x1": round(b, 2)})
                continue
            cell = PdfCell(
                cell_text(piece), r, first, 1, last - first + 1,
                Box(page=number, x0=round(a, 2), top=round(top, 2), x1=round(b, 2), bottom=round(bottom, 2)),
            )
            used[first] = cell
            cells.append(cell)
    boxes = [ln.box for ln, _ in lines]
    box = Box(
        page=number,
        x0=min(b.x0 for b in boxes),
        top=min(b.top for b in boxes),
        x1=max(b.x1 for b in boxes),
        bottom=max(b.bottom for b in boxes),
    )
    edges = [cols[0][0], *((c1 + n0) / 2 for (_, c1), (n0, _) in zip(cols, cols[1:], strict=False)), cols[-1][1]]
    return PdfTable(cells, len(rows), edges, box, [number])


def aligned_tables(
    lines: list[PdfLine], chars_of: dict[int, list[Char]], number: int
) -> tuple[list[PdfTable], list[PdfLine]]:
    """Tables made of aligned lines without rules, and the lines left as text.

    ``chars_of`` maps ``id(line)`` to the characters of the line.
    """
    ordered = sorted(lines, key=lambda ln: ln.box.top)
    tables: list[PdfTable] = []
    rest: list[PdfLine] = []
    run: list[tuple[PdfLine, list[list[Char]]]] = []

    def close() -> None:
        wide = sum(1 for _, p in run if len(p) >= 3)
        table = _table(run, number) if len(run) >= _MIN_ROWS and wide >= 2 else None
        if table is None:
            rest.extend(ln for ln, _ in run)
        else:
            tables.append(table)
        run.clear()

    for line in ordered:
        pieces = _pieces(chars_of.get(id(line), []))
        if len(pieces) >= 2:
            if run:
                prev = run[-1][0].box
                height = max(prev.bottom - prev.top, 1.0)
                if line.box.top - prev.bottom > 1.5 * height:
                    close()
            run.append((line, pieces))
        else:
            close()
            rest.append(line)
    close()
    return tables, rest
