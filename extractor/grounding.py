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
from functools import lru_cache

from extractor.numbers import Number, as_number, iter_numbers

ZERO_WORDS = re.compile(r"[无未没]|不存在")


@lru_cache(maxsize=1)
def _label_words() -> re.Pattern[str]:
    """The printed labels of the tables: 尚未审结, 未经复议直接起诉, 无法提供… hold 无/未 without saying zero."""
    from extractor.record import (
        ACTIVE_DISCLOSURE_ROWS,
        APPLICATION_ROWS_SPLIT_OTHER,
        REVIEW_GROUPS,
        REVIEW_OUTCOMES,
    )

    words = {"尚未审结", "未经复议直接起诉", "无法提供", "无正当理由", "逾期未按", "未经复议"}
    for table in (ACTIVE_DISCLOSURE_ROWS, APPLICATION_ROWS_SPLIT_OTHER, REVIEW_GROUPS, REVIEW_OUTCOMES):
        words.update(w for label in table.values() for w in re.split(r"[·、（）()\d.]", label) if ZERO_WORDS.search(w))
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def says_zero(text: str) -> bool:
    """无/未/没有 in ``text`` outside the tables' own labels (本年未收取费用; not 尚未审结)."""
    return ZERO_WORDS.search(_label_words().sub("", _plain(text))) is not None
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
    return target == 0 and zero_words and says_zero(text)


def _digits(value: Number) -> str:
    value = as_number(value)
    text = repr(abs(value)) if isinstance(value, float) else str(abs(value))
    return text.removesuffix(".0")


def _run_of_cells(token: str) -> bool:
    """A token with a leading zero (00, 0000000) is a run of cells, never one number: only an exact split reads it."""
    return len(token) > 1 and token.startswith("0") and "." not in token


def row_numbers_printed(values: list[Number], quote: str) -> bool:
    """Whether the values of one row (in printed column order) are what its quote prints.

    Either each value is a whole printed number of the quote, each printed number
    used at most once (a zero beyond the printed 0s only where the row says
    无/未), or the values written one after another are exactly a run of whole
    printed numbers: text converted from HTML or PDF often runs the cells of a
    row together (``4000004`` is 4, 0, 0, 0, 0, 0, 4), and the split must use
    every digit of the run, so 8283 is never read out of 88283. A row of n cells
    whose quote prints fewer numbers cannot hold n values: a model's invented 0s
    and the all-zero skeleton fail here.
    """
    if not values:
        return True
    tokens = [t for t in iter_numbers(_plain(quote))]
    available = Counter(abs(float(t.value)) for t in tokens if not _run_of_cells(t.text))
    # 无/未 stand for a zero only in a row that prints no digits (尚未审结 is a label, not a zero)
    zero_words = not tokens and says_zero(quote)
    ok = True
    for value in values:
        key = abs(float(value))
        if available[key] > 0:
            available[key] -= 1
        elif not (key == 0 and zero_words):
            ok = False
            break
    if ok:
        return True
    wanted = "".join(_digits(v) for v in values)
    texts = [t.text.replace(",", "").lstrip("-") for t in tokens]
    for i in range(len(texts)):
        run = ""
        for j in range(i, len(texts)):
            run += texts[j]
            if run == wanted:
                return True
            if len(run) >= len(wanted):
                break
    return False


GROUNDING_WINDOW = 40  # characters either side of an evidence span that still count as "near"


def is_grounded(value: Number, window: str, row: str | None = None) -> bool:
    """The rule: ``value`` printed as a whole number in ``window``; a zero may also be
    written 无/未 in ``row`` (the cell's own evidence span), never merely somewhere near it."""
    if number_printed(value, window, zero_words=False):
        return True
    return value == 0 and row is not None and number_printed(0, row)
