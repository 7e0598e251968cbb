"""What OCR produces, as plain pydantic values: recognised words and ruling lines of one page."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Word(BaseModel):
    """One text box the recogniser read: its text, confidence and box (page coordinates, origin top-left)."""

    text: str
    confidence: float
    x0: float
    top: float
    x1: float
    bottom: float
    chars: list[tuple[float, float, float, float]] | None = None  # each character's box (x0, top, x1, bottom)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


class Segment(BaseModel):
    """A ruling line of the page image: horizontal (``at`` = y, from ``start`` to ``end`` in x) or vertical."""

    at: float
    start: float
    end: float


class PageScan(BaseModel):
    """Everything read from one page image (what the cache stores, in page coordinates)."""

    width: float
    height: float
    words: list[Word] = Field(default_factory=list)
    horizontal: list[Segment] = Field(default_factory=list)
    vertical: list[Segment] = Field(default_factory=list)
