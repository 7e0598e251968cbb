"""Finding a model's quote and numbers in the text it was given.

A model copies text imperfectly: full-width vs half-width forms, spaces and
line breaks of PDF text, curly quotes. Matching is exact first, then on a
"compact" form (NFKC, no whitespace, straight quotes) mapped back to the
original positions, so every value gets a real span of ``Document.text``.
"""

from __future__ import annotations

import unicodedata

from extractor.document import Span
from extractor.grounding import GROUNDING_WINDOW, is_grounded, number_printed
from extractor.numbers import Number, iter_numbers

__all__ = ["compact", "grounded", "has_digit", "locate", "number_printed", "value_span"]

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


def compact(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, NFKC-folded, and for each kept char its index in ``text``."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).translate(_QUOTES)
        for c in folded:
            if not c.isspace():
                chars.append(c)
                index.append(i)
    return "".join(chars), index


def locate(quote: str | None, text: str) -> Span | None:
    """The span of ``text`` that ``quote`` was copied from, or None."""
    if not quote or not quote.strip():
        return None
    pos = text.find(quote)
    if pos >= 0:
        return Span(start=pos, end=pos + len(quote))
    needle, _ = compact(quote)
    hay, index = compact(text)
    if not needle:
        return None
    pos = hay.find(needle)
    if pos < 0:
        return None
    return Span(start=index[pos], end=index[pos + len(needle) - 1] + 1)


def value_span(value: Number, source: str, quote: str | None) -> Span | None:
    """Where ``value`` is printed for the row ``quote``: the quote itself when the value is printed next to it
    (``grounding.is_grounded`` on the quote's window), else the whole printed number nearest the quote (a table
    whose labels and numbers are printed apart, as in column-major PDF text). None: not printed at all."""
    span = locate(quote, source) if quote else None
    if span is None:
        return None
    window = source[max(0, span.start - GROUNDING_WINDOW) : span.end + GROUNDING_WINDOW]
    if is_grounded(value, window, source[span.start : span.end]):
        return span
    plain = unicodedata.normalize("NFKC", source)
    target = abs(float(value))
    tokens = [t.span for t in iter_numbers(plain) if abs(abs(float(t.value)) - target) < 1e-6]
    if not tokens:
        return None
    best = min(tokens, key=lambda t: abs(t.start - span.end) if t.start >= span.end else (span.start - t.end) * 2)
    return best


def grounded(value: Number, source: str, quote: str | None) -> bool:
    """The checker's grounding rule, as the validators apply it: see ``value_span``."""
    return value_span(value, source, quote) is not None


def has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in unicodedata.normalize("NFKC", text))
