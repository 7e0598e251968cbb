"""Cutting runs of digits back into table cells.

Scraped tables often lose their cell separators: ``2000002`` is the seven
cells 2,0,0,0,0,0,2 and ``230 000023`` is 23,0,0,0,0,0,23. A run alone does
not say where the cuts are, so this module only *enumerates* the readings
that are well formed (no leading zero, a sign only at the start of a cell, a
decimal point inside one cell); the table readers keep the readings their
identities accept and leave a cell blank where the survivors disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import combinations

from pydantic import BaseModel

from extractor.document import Span
from extractor.numbers import parse_number
from extractor.record import Number

# One printed cell: optional sign, no leading zero unless the integer part is 0, optional decimals.
_PIECE = re.compile(r"^[+-]?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d+)?$")
MAX_CANDIDATES = 20_000  # beyond this a run is too ambiguous to be worth enumerating


class Piece(BaseModel):
    """One cell cut out of a run: its value and the span of its digits."""

    value: Number
    text: str
    span: Span


class Run(BaseModel):
    """A printed run of digits (maybe several cells) with its span in ``Document.text``.

    ``atomic`` runs were printed as one cell (alone on their line, or in a
    delimited cell) and are never cut.
    """

    text: str
    span: Span
    atomic: bool = False


@lru_cache(maxsize=4096)
def _cuts(text: str, n: int) -> tuple[tuple[int, ...], ...]:
    """Cut positions splitting ``text`` into exactly ``n`` well-formed pieces."""
    if n == 1:
        return ((),) if _PIECE.match(text) else ()
    out: list[tuple[int, ...]] = []
    for j in range(1, len(text)):
        if not _PIECE.match(text[:j]):
            continue
        for rest in _cuts(text[j:], n - 1):
            out.append((j, *(j + r for r in rest)))
            if len(out) > MAX_CANDIDATES:
                return tuple(out)
    return tuple(out)


@lru_cache(maxsize=4096)
def min_max_pieces(text: str, atomic: bool = False) -> tuple[int, int]:
    """Fewest and most well-formed pieces ``text`` can be cut into (0, 0 if none)."""
    counts = [n for n in range(1, 2 if atomic else len(text) + 1) if _cuts(text, n)]
    return (min(counts), max(counts)) if counts else (0, 0)


def split_run(run: Run, n: int) -> list[list[Piece]]:
    """Every way to read ``run`` as exactly ``n`` cells, in order."""
    readings: list[list[Piece]] = []
    if run.atomic and n != 1:
        return readings
    for cut in _cuts(run.text, n):
        bounds = (0, *cut, len(run.text))
        pieces = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            raw = run.text[a:b]
            value = parse_number(raw)
            assert value is not None
            pieces.append(Piece(value=value, text=raw, span=Span(start=run.span.start + a, end=run.span.start + b)))
        readings.append(pieces)
    return readings


def split_runs(runs: Sequence[Run], n: int) -> Iterator[list[Piece]]:
    """Every way to read consecutive runs as exactly ``n`` cells (each run gives at least one cell)."""
    if not runs:
        if n == 0:
            yield []
        return
    bounds = [min_max_pieces(r.text, r.atomic) for r in runs]
    if any(lo == 0 for lo, _ in bounds):
        return
    rest_min = [sum(lo for lo, _ in bounds[i:]) for i in range(len(runs) + 1)]
    rest_max = [sum(hi for _, hi in bounds[i:]) for i in range(len(runs) + 1)]
    produced = 0

    def walk(i: int, left: int, acc: list[Piece]) -> Iterator[list[Piece]]:
        nonlocal produced
        if i == len(runs):
            if left == 0:
                produced += 1
                yield list(acc)
            return
        lo, hi = bounds[i]
        for k in range(lo, hi + 1):
            if not rest_min[i + 1] <= left - k <= rest_max[i + 1]:
                continue
            for pieces in split_run(runs[i], k):
                if produced > MAX_CANDIDATES:
                    return
                yield from walk(i + 1, left - k, acc + pieces)

    yield from walk(0, n, [])


def place(pieces: Sequence[Piece], n: int, required: Sequence[int] = ()) -> Iterator[list[Piece | None]]:
    """Every way ``len(pieces)`` printed cells sit in ``n`` slots when the other slots were blank.

    Blank cells vanish from a flattened run; the printed ones keep their order.
    ``required`` slots must hold a printed cell (e.g. a table's 总计 column).
    """
    k = len(pieces)
    for slots in combinations(range(n), k):
        if any(r not in slots for r in required):
            continue
        row: list[Piece | None] = [None] * n
        for slot, piece in zip(slots, pieces, strict=False):
            row[slot] = piece
        yield row


def readings_by_count(runs: Sequence[Run], n: int, required: Sequence[int] = (), allow_blanks: bool = True) -> Iterator[tuple[int, list[list[Piece | None]]]]:
    """Readings of ``runs`` as a row of ``n`` cells, grouped by how many cells are printed, most first.

    Callers stop at the first group that gives an accepted reading: no cell
    is taken to have vanished unless the digits force it.
    """
    total_min = sum(min_max_pieces(r.text, r.atomic)[0] for r in runs) if runs else 0
    counts = range(n, 0, -1) if allow_blanks else range(n, n - 1, -1)
    for k in counts:
        if k < total_min:
            break
        group: list[list[Piece | None]] = []
        for pieces in split_runs(runs, k):
            if k == n:
                group.append(list(pieces))
            else:
                group.extend(place(pieces, n, required))
            if len(group) > MAX_CANDIDATES:
                break
        if group:
            yield k, group
