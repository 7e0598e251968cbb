"""Whether a number is printed in a piece of text: the one grounding rule of the model's validators and the checker.

A number is printed when a whole printed number equals it (``iter_numbers`` on
the NFKC text, spaces kept so that the cells of a row stay apart), or when a
number followed by 万/亿 scales to it. Never a substring of a longer number:
8283 is not printed in 88283, 15 not in 153. A zero is printed as a 0, or (in
the row that holds the cell) as 无/未/没有 — a zero "somewhere nearby" is not
evidence, since a blank cell and a zero look the same to a model.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from extractor.numbers import Number, as_number, iter_numbers

ZERO_WORDS = re.compile(r"[无未没]|不存在")
_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def printed_numbers(text: str) -> list[Number]:
    """Every number printed in ``text`` as a whole (in order); a number before 万/亿 also counts scaled."""
    plain = _plain(text)
    out: list[Number] = []
    for token in iter_numbers(plain):
        out.append(token.value)
        after = plain[token.span.end : token.span.end + 1]
        if after in _MULTIPLIERS:
            out.append(as_number(token.value * _MULTIPLIERS[after], 6))
    return out


def _same(a: Number, b: Number) -> bool:
    return abs(float(a) - float(b)) < 1e-6


def number_printed(value: Number, text: str, *, zero_words: bool = True) -> bool:
    """Whether ``value`` is printed in ``text`` as a whole number (see the module doc).

    ``zero_words``: a 0 may also be printed as 无/未/没有 — pass True only when
    ``text`` is the cell's own row (a quote), never for a window around it.
    """
    target = abs(value)
    if any(_same(n, target) for n in printed_numbers(text)):
        return True
    return target == 0 and zero_words and ZERO_WORDS.search(_plain(text)) is not None


def row_numbers_printed(values: list[Number], quote: str) -> bool:
    """Whether every value of a row is printed in its quote, each printed number used at most once.

    A row of n cells with m < n numbers printed cannot hold n numbers: a model
    that answers a value for a blank cell (the all-zero skeleton, an invented 0)
    is caught here. Zeros beyond the printed 0s pass only when the row says 无/未.
    """
    available = Counter(abs(float(n)) for n in printed_numbers(quote))
    zero_words = ZERO_WORDS.search(_plain(quote)) is not None
    for value in values:
        key = abs(float(value))
        if available[key] > 0:
            available[key] -= 1
        elif not (key == 0 and zero_words):
            return False
    return True
