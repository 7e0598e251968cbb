"""Small PDFs drawn at test time with reportlab: lines of text and ruled grids, CJK in STSong-Light.

Coordinates are PDF points from the top-left corner of an A4 page (as
pdfplumber reports them), so tests can say where things are printed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

A4_WIDTH, A4_HEIGHT = 595.2756, 841.8898
FONT = "STSong-Light"


@dataclass
class Text:
    x: float
    top: float
    text: str
    size: float = 12


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    vertical: bool = False  # one character per line


@dataclass
class Grid:
    """A ruled table, every cell boxed; a page break leaves the outline open.

    ``open_bottom``: no rule under the last row; ``open_top``: the columns whose
    cells in the first row have no rule above them (the cells continued from the page before).
    """

    x: float
    top: float
    widths: list[float]
    heights: list[float]
    cells: list[Cell]
    size: float = 9
    open_bottom: bool = False
    open_top: tuple[int, ...] = ()
    ruled: bool = True
    three_line: bool = False  # no cell boxes: a rule above and below the table and under its first row


    def bottom(self) -> float:
        return self.top + sum(self.heights)


@dataclass
class Page:
    items: list[Text | Grid] = field(default_factory=list)


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def build_pdf(pages: list[Page], compress: bool = True) -> bytes:
    from reportlab.pdfgen import canvas

    _register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(A4_WIDTH, A4_HEIGHT), pageCompression=1 if compress else 0)
    for page in pages:
        for item in page.items:
            if isinstance(item, Text):
                c.setFont(FONT, item.size)
                c.drawString(item.x, A4_HEIGHT - item.top - item.size, item.text)
            else:
                _grid(c, item)
        c.showPage()
    c.save()
    return buf.getvalue()


def _grid(c, g: Grid) -> None:
    xs = [g.x]
    for w in g.widths:
        xs.append(xs[-1] + w)
    ys = [g.top]
    for h in g.heights:
        ys.append(ys[-1] + h)
    c.setLineWidth(0.5)
    for cell in g.cells:
        x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
        t0, t1 = ys[cell.row], ys[cell.row + cell.rowspan]
        if g.ruled:
            sides = [(x0, t0, x0, t1), (x1, t0, x1, t1)]
            if not (cell.row == 0 and cell.col in g.open_top):
                sides.append((x0, t0, x1, t0))
            if not (g.open_bottom and cell.row + cell.rowspan == len(g.heights)):
                sides.append((x0, t1, x1, t1))
            for a, b, cc, d in sides:
                c.line(a, A4_HEIGHT - b, cc, A4_HEIGHT - d)
        if g.three_line and cell.col == 0:
            for y in {ys[0], ys[1], ys[-1]}:
                c.line(xs[0], A4_HEIGHT - y, xs[-1], A4_HEIGHT - y)
        c.setFont(FONT, g.size)
        if cell.vertical:
            n = len(cell.text)
            start = (t0 + t1) / 2 - n * (g.size + 2) / 2
            for k, ch in enumerate(cell.text):
                c.drawString(x0 + (x1 - x0 - g.size) / 2, A4_HEIGHT - (start + k * (g.size + 2)) - g.size, ch)
        elif cell.text:
            c.drawString(x0 + 3, A4_HEIGHT - (t0 + t1) / 2 - g.size / 2 + 1, cell.text)


def footer(number: int, style: str = "- {} -", top: float = 800) -> Text:
    return Text(A4_WIDTH / 2 - 15, top, style.format(number), 10)
