"""Finding a model's quote and numbers in the text it was given.

A model copies text imperfectly: full-width vs half-width forms, spaces and
line breaks of PDF text, curly quotes. Matching is exact first, then on a
"compact" form (NFKC, no whitespace, straight quotes) mapped back to the
original positions, so every value gets a real span of ``Document.text``.
"""

from __future__ import annotations

import re
import unicodedata

from extractor.document import Span
from extractor.numbers import as_number, iter_numbers

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})
_DIGIT_COMMA = re.compile(r"(?<=\d)[,，](?=\d{3})")


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


def _digits_form(value: int | float) -> str:
    value = as_number(value)
    return str(abs(value)) if isinstance(value, int) else repr(abs(value))


def number_occurs(value: int | float, text: str, *, in_runs: bool = True) -> bool:
    """Whether ``value`` is printed in ``text``: as a number, with 万/亿, or (``in_runs``) inside a run of digits.

    Runs of digits are accepted for tables because PDF text runs table cells
    together (``4000004`` is seven cells); the table identities catch wrong
    splits. Prose numbers stand alone, so claims use ``in_runs=False``.
    """
    hay = _DIGIT_COMMA.sub("", compact(text)[0])
    if in_runs and _digits_form(value) in hay:
        return True
    for token in iter_numbers(hay):
        if token.value == value or token.value == abs(value):
            return True
        after = hay[token.span.end : token.span.end + 1]
        if after == "万" and abs(token.value * 10_000 - abs(value)) < 1e-6:
            return True
        if after == "亿" and abs(token.value * 100_000_000 - abs(value)) < 1e-6:
            return True
    return False


def has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in unicodedata.normalize("NFKC", text))
