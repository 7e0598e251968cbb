"""A loaded report: one normalised text, with a map back to the original.

Every later stage works on ``Document.text``; spans are positions in that
text. ``Document.to_source`` turns them back into positions in
``Document.source`` (the decoded original: the HTML markup for a web page, the
extracted raw text for PDF/DOCX), so every value can point at its evidence.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Format = Literal["txt", "md", "html", "docx", "pdf"]


class Span(BaseModel):
    """Half-open character range ``[start, end)`` in ``Document.text``."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


class TableCell(BaseModel):
    text: str
    span: Span
    colspan: int = 1
    rowspan: int = 1


class Table(BaseModel):
    """A real table (HTML or DOCX), row by row, as printed in ``Document.text``.

    Each row is one line of the text, cells separated by a tab, so readers that
    only see text still see the structure.
    """

    rows: list[list[TableCell]]
    span: Span


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

    def to_source(self, span: Span) -> Span:
        """The span of ``source`` that ``span`` of ``text`` was made from."""
        start = self.offsets[span.start]
        end = self.offsets[span.end - 1] + 1 if span.end > span.start else start
        return Span(start=start, end=end)
