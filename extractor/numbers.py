"""Numbers as printed in reports: one parser for the reader, the model engine and the checks.

Handles full-width digits (via NFKC), thousands separators, stray spaces,
万/亿 multipliers and small Chinese numerals (十二, 两百零五). A string that is
not a number gives ``None`` — never 0, because a blank is not a zero.

A number too big to be a count or an amount in a report (more than 2^53, the
largest integer a float — and a JSON reader — holds exactly) is not a value:
it is ignored (``None``) with a note on the ``extractor.numbers`` logger,
rather than crashing the reader (a 309-digit string overflows a float) or
silently losing digits.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from pydantic import BaseModel

from extractor.document import Span

Number = int | float

MAX_EXACT = 2**53  # the largest magnitude a float (and JSON in most readers) keeps exact
_log = logging.getLogger(__name__)

_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}
_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARABIC = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
# A number in running text: digits with optional thousands separators and decimals.
NUMBER_RE = re.compile(r"(?<![\d.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\d.])-?\d+(?:\.\d+)?")

def as_number(value: int | float, ndigits: int | None = None) -> Number:
    """A number as it is printed: a whole float becomes an int (5.0 -> 5), others stay as they are.

    With ``ndigits`` a float is first rounded to that many decimals (noise of
    float sums: 0.1 + 0.2 -> 0.3).
    """
    if isinstance(value, float) and ndigits is not None:
        value = round(value, ndigits)
    return int(value) if float(value).is_integer() else value

def decimals(value: Number) -> int:
    """Digits after the point as printed (33.9 -> 1, 8.05 -> 2, 100 -> 0): the precision a rounding check allows."""
    if isinstance(value, int) or float(value).is_integer():
        return 0
    exponent = Decimal(repr(value)).as_tuple().exponent
    assert isinstance(exponent, int), f"{value!r} is not a finite number"  # 'n'/'N'/'F' mark NaN and infinity
    return max(0, -exponent)


def parse_cn_numeral(text: str) -> int | None:
    """Small Chinese numerals up to 9999 (十二, 一百零五, 两千); None if ``text`` is not one."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)

def parse_number(raw: str | int | float | None) -> Number | None:
    """A printed number as int (counts) or float (amounts); None when it is not a number."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None
        return _bounded(as_number(raw), str(raw))
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"[\s,，_]", "", text)
    multiplier = 1
    if text and text[-1] in _MULTIPLIERS:
        multiplier, text = _MULTIPLIERS[text[-1]], text[:-1]
    if _ARABIC.match(text):
        whole = text.lstrip("+-").split(".")[0].lstrip("0")
        if len(whole) > 16:  # more digits than any count: do not even convert it
            return _bounded(None, raw)
        if "." not in text:
            return _bounded(int(text) * multiplier, raw)
        value = float(text) * multiplier
        return _bounded(int(round(value)) if value.is_integer() else value, raw)
    cn = parse_cn_numeral(text)
    return None if cn is None else cn * multiplier


def _bounded(value: Number | None, raw: object) -> Number | None:
    """``value`` when it can be a count or amount; None (with a note) when it is too big to be one."""
    if value is not None and abs(value) <= MAX_EXACT:
        return value
    shown = str(raw)
    shown = shown if len(shown) <= 24 else f"{shown[:12]}…{shown[-6:]} ({len(shown)} characters)"
    _log.warning("ignored the number %s: too long to be a count or an amount", shown)
    return None

class NumberToken(BaseModel):
    """One number found in text, with the span of its printed digits."""

    value: Number
    text: str
    span: Span

def iter_numbers(text: str, start: int = 0, end: int | None = None) -> Iterator[NumberToken]:
    """Every arabic number in ``text[start:end]`` (NFKC text: digits are ASCII), in order."""
    for m in NUMBER_RE.finditer(text, start, len(text) if end is None else end):
        value = parse_number(m.group())
        if value is not None:
            yield NumberToken(value=value, text=m.group(), span=Span(start=m.start(), end=m.end()))
