"""A loaded report: one normalised text, with a map back to the original.

Every later stage works on ``Document.text``; spans are positions in that
text. ``Document.to_source`` turns them back into positions in
``Document.source`` (the decoded original: the HTML markup for a web page, the
extracted raw text for PDF/DOCX), so every value can point at its evidence;
for a PDF, ``Document.to_boxes`` also gives the page and box it is printed in.
``Document.tables`` holds the tables the file itself delimits, as grids, and
``Document.problems`` what loading had to skip (a damaged PDF page).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

Format = Literal["txt", "md", "html", "docx", "pdf", "image"]


class Span(BaseModel):
    """Half-open character range ``[start, end)`` in ``Document.text``."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


class Box(BaseModel):
    """Where a cell or a line sits on a page (PDF points or image pixels, origin top-left)."""

    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float


class TableCell(BaseModel):
    """One cell of a table grid, as printed in ``Document.text``.

    ``row``/``col`` are the grid position of its top-left corner; a merged cell
    covers ``rowspan`` x ``colspan`` positions and appears once. ``origin`` says
    where it came from in the file (PDF page and box, DOCX table/row/cell
    index, HTML element offset), so evidence can point back at it.
    """

    text: str
    span: Span
    row: int = 0
    col: int = 0
    colspan: int = 1
    rowspan: int = 1
    box: Box | None = None  # PDF and OCR: the cell's box on its page
    origin: str | None = None  # e.g. "docx table 2 row 3 cell 1", "html offset 1234", "pdf page 3"
    confidence: float | None = None  # OCR only: the recogniser's confidence in the cell's text


class Table(BaseModel):
    """A table grid found in the file itself (HTML, DOCX, PDF, OCR), row by row.

    Each row is one line of ``Document.text``, cells separated by a tab, so
    readers that only see text still see the structure.
    """

    rows: list[list[TableCell]]
    span: Span
    pages: list[int] = Field(default_factory=list)  # PDF/OCR: the pages it spans (continued tables have several)


class SourceBox(BaseModel):
    """Where a range ``[start, end)`` of ``Document.source`` is printed (PDF: a line of text or a table cell)."""

    start: int
    end: int
    box: Box
    confidence: float | None = None  # OCR only: the recogniser's confidence in that text


class Document(BaseModel):
    path: str | None = None
    format: Format
    encoding: str | None = None  # detected text encoding; None for binary formats
    sha256: str  # of the input bytes: the identity of the report for caches and batches
    source: str = Field(repr=False)  # the decoded original
    text: str = Field(repr=False)  # the normalised text every stage reads
    # offsets[i] is the position in ``source`` of text[i]; offsets[len(text)] closes the last span.
    offsets: list[int] = Field(repr=False)
    tables: list[Table] = Field(default_factory=list)
    # PDF: where each line and table cell of ``source`` sits on its page, in source order
    boxes: list[SourceBox] = Field(default_factory=list, repr=False)
    pages: int | None = None  # PDF: pages in the file (read or skipped)
    problems: list[str] = Field(default_factory=list)  # what loading had to skip (a damaged PDF page …)
    ocr_pages: list[int] = Field(default_factory=list)  # pages read by OCR (a scan); their boxes carry a confidence
    _box_starts: list[int] | None = PrivateAttr(default=None)

    def to_source(self, span: Span) -> Span:
        """The span of ``source`` that ``span`` of ``text`` was made from."""
        start = self.offsets[span.start]
        end = self.offsets[span.end - 1] + 1 if span.end > span.start else start
        return Span(start=start, end=end)

    def to_boxes(self, span: Span) -> list[Box]:
        """The page boxes (PDF lines and table cells) that ``span`` of ``text`` was read from, in order."""
        if not self.boxes or span.end <= span.start:
            return []
        src = self.to_source(span)
        if self._box_starts is None or len(self._box_starts) != len(self.boxes):
            self._box_starts = [b.start for b in self.boxes]
        i = bisect_right(self._box_starts, src.start) - 1
        out: list[Box] = []
        for sb in self.boxes[max(i, 0) :]:
            if sb.start >= src.end:
                break
            if sb.end > src.start:
                out.append(sb.box)
        return out
