"""Cells as the table readers hand them around: decided values with their evidence spans.

A table reader produces, for each cell, either a value and the span of
``Document.text`` its digits were read from, or ``None`` with the reason.
When several readings of the printed digits survive, only the cells they
all agree on are kept (``consensus``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from extractor.document import Span
from extractor.numbers import parse_number
from extractor.reader.cellstream import Item
from extractor.reader.splitting import Piece, Run
from extractor.record import Number

Row = list[Piece | None]


class Cell(BaseModel):
    """A decided cell: its value and the span its digits were read from (None: blank or undecided)."""

    value: Number | str | None = None
    span: Span | None = None
    note: str | None = None
    read_from: Literal["grid", "text"] | None = None  # set where one table mixes both (a row the grid lacks)


class TableResult(BaseModel):
    """One table's cells by dotted path (without the table prefix) and what could not be read."""

    cells: dict[str, Cell] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)


def value_of(p: Piece | None) -> Number | None:
    return None if p is None else p.value


def piece_of(it: Item) -> Piece | None:
    """A number item as a cell (None for a blank)."""
    if it.kind != "num":
        return None
    value = parse_number(it.text)
    return None if value is None else Piece(value=value, text=it.text, span=it.span)


def runs_of(items: Sequence[Item]) -> list[Run]:
    """The numbers of ``items`` as runs to cut; a number alone on its line or in a cell is one cell."""
    return [Run(text=it.text, span=it.span, atomic=it.unit_kind != "inline") for it in items if it.kind == "num"]


def consensus(rows_by_key: Mapping[str, list[Row]], cols: Sequence[str]) -> tuple[dict[str, list[Cell]], list[str]]:
    """Cells on which every surviving reading agrees; the others None, with the reason."""
    out: dict[str, list[Cell]] = {}
    problems: list[str] = []
    for key, cands in rows_by_key.items():
        cells: list[Cell] = []
        for c, col in enumerate(cols):
            values = {(value_of(r[c]) if r else None) for r in cands}
            if len(values) == 1:
                value = values.pop()
                spans = [p.span for r in cands if r for p in (r[c],) if p is not None]
                span = Span(start=min(s.start for s in spans), end=max(s.end for s in spans)) if spans else None
                note = None if len(cands) == 1 else f"all {len(cands)} readings of the digits agree"
                cells.append(Cell(value=value, span=span, note=note))
            else:
                shown = sorted(("blank" if v is None else str(v)) for v in values)
                problems.append(f"{key}.{col}: the digits allow {', '.join(shown[:6])}{'…' if len(shown) > 6 else ''}; left blank")
                cells.append(Cell(value=None, note="undecided: " + "/".join(shown[:6])))
        out[key] = cells
    return out, problems
