"""The identities of spec §3 in one place: pure functions over plain values, one result per identity.

Table 三 is a ``Mapping[row_key, Mapping[column_key, int | None]]`` (keys of
``record.APPLICATION_ROW_KEYS`` and ``record.APPLICANT_COLUMNS``; a row that is
absent and a blank cell are the same thing here: no value). Table 四 is a
``Mapping[group, Mapping[outcome, int | None]]``; the pre-2019 statistics are a
``Mapping[dotted_key, Number | None]`` with the keys ``applications.received``,
``review.total`` … (paths below ``pre2019.``).

Each function returns an ``IdentityResult``: which identity, where (row,
column or group), the stated and the computed value, the dotted record paths
of every term with its value, the blank ones, and a status:

* ``holds`` / ``fails`` — decided;
* ``not_checkable`` — an input is blank. A blank never counts as agreement:
  a sum with blank parts is decided (``fails``) only when the parts that are
  given already exceed the total (counts are never negative, so no blank can
  repair that); the two-sided balance is decided only with all four terms.

The users build their own wording from these results: ``extractor.checks``
(findings), ``extractor.llm.schemas`` (the messages a model is re-asked with).
The table reader keeps its own counting on purpose; see
``extractor.reader.table3._app_checks``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from extractor.numbers import as_number
from extractor.record import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_SINGLE_OTHER,
    BALANCE_ROW_KEYS,
    OTHER_HANDLING_SPLIT,
    OUTCOME_ROW_KEYS,
    PRE2019_CASE_GROUPS,
    PRE2019_CASE_PARTS,
    PRE2019_CHANNELS,
    PRE2019_RESPONSE_OUTCOMES,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    Number,
)

IdentityName = Literal["balance", "outcome_sum", "row_sum", "group_sum", "pre2019_sum"]
Status = Literal["holds", "fails", "not_checkable"]

Table3 = Mapping[str, Mapping[str, "Number | None"]]
Table4 = Mapping[str, Mapping[str, "Number | None"]]
Pre2019Values = Mapping[str, "Number | None"]

APPLICANT_PARTS: tuple[str, ...] = tuple(c for c in APPLICANT_COLUMNS if c != "total")
REVIEW_PARTS: tuple[str, ...] = tuple(o for o in REVIEW_OUTCOMES if o != "total")
# Leaf outcome rows before (六); (六) is either ``other_handling`` or its three parts.
LEAVES_BEFORE_OTHER: tuple[str, ...] = tuple(
    k for k in APPLICATION_ROWS_SINGLE_OTHER if k not in (*BALANCE_ROW_KEYS, "other_handling")
)


@dataclass(frozen=True)
class IdentityResult:
    """One identity at one place: its verdict, the numbers on both sides and every term involved.

    ``paths``/``values`` list the terms: for a sum the total first, then the
    parts; for ``balance`` 一, 二, （七）, 四. ``stated`` is the printed total
    (balance: 一+二), ``computed`` the sum of the given parts (balance: （七）+四);
    either is None when it cannot be formed. ``missing`` are the paths of the
    blank terms that make a result not checkable (for a sum with a blank total:
    the total, then the blank parts).
    """

    identity: IdentityName
    status: Status
    paths: tuple[str, ...]
    values: tuple[Number | None, ...]
    stated: Number | None = None
    computed: Number | None = None
    missing: tuple[str, ...] = ()
    row: str | None = None
    column: str | None = None
    group: str | None = None

    @property
    def checkable(self) -> bool:
        return self.status != "not_checkable"

    @property
    def holds(self) -> bool:
        return self.status == "holds"

    @property
    def fails(self) -> bool:
        return self.status == "fails"

    @property
    def complete(self) -> bool:
        """Every term is given (a failure with blanks is decided by the lower bound alone)."""
        return None not in self.values

    @property
    def parts_given(self) -> bool:
        """Whether any term after the first (a sum's parts) has a value."""
        return any(v is not None for v in self.values[1:])


def equal(a: Number, b: Number) -> bool:
    """Two counts or amounts are the same number (float sums allowed a rounding error)."""
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-6)


def clean(value: Number) -> Number:
    """A computed sum as it would be printed: float noise rounded away, 5.0 -> 5."""
    return as_number(value, ndigits=6)


# ------------------------------------------------------------------ generic sum
def sum_identity(
    identity: IdentityName,
    total: tuple[str, Number | None],
    parts: Sequence[tuple[str, Number | None]],
    *,
    row: str | None = None,
    column: str | None = None,
    group: str | None = None,
) -> IdentityResult:
    """``total == sum(parts)``, with blank parts decided only when the given ones already exceed the total."""
    total_path, stated = total
    paths = (total_path, *(p for p, _ in parts))
    values = (stated, *(v for _, v in parts))
    missing = tuple(p for p, v in parts if v is None)
    known = sum(v for _, v in parts if v is not None)
    where = {"row": row, "column": column, "group": group}
    if stated is None:
        unknown = (total_path, *missing)
        return IdentityResult(identity, "not_checkable", paths, values, None, clean(known), unknown, **where)
    if missing and not known > stated:
        return IdentityResult(identity, "not_checkable", paths, values, stated, clean(known), missing, **where)
    status: Status = "holds" if equal(stated, known) else "fails"
    return IdentityResult(identity, status, paths, values, stated, clean(known), missing, **where)


# ------------------------------------------------------------------ table 三
def app_path(row: str, column: str) -> str:
    return f"applications.{row}.{column}"


def app_cell(table: Table3, row: str, column: str) -> Number | None:
    values = table.get(row)
    return None if values is None else values.get(column)


def other_handling_rows(table: Table3, column: str | None = None, layout: str | None = None) -> tuple[str, ...]:
    """How (六) is recorded in a record: the single 2019 row, or the three 2021 parts.

    The single row wins when it holds a value (a 2021 table printed with one
    (六) row is recorded that way; per ``column`` when given); otherwise the
    parts, when any is present; with neither, the layout decides.
    """
    single = table.get("other_handling")
    has_split = any(k in table for k in OTHER_HANDLING_SPLIT)
    if single is not None and (not has_split or column is None or single.get(column) is not None):
        return ("other_handling",)
    if has_split or layout == "2021":
        return tuple(OTHER_HANDLING_SPLIT)
    return ("other_handling",)


def outcome_rows(table: Table3, column: str | None = None, layout: str | None = None) -> tuple[str, ...]:
    """The leaf outcome rows of a record whose sum is (七)总计, in table order (absent rows included)."""
    return (*LEAVES_BEFORE_OTHER, *other_handling_rows(table, column, layout))


def answered_outcome_rows(rows: Iterable[str]) -> tuple[str, ...]:
    """The leaf outcome rows among the rows an answer gives, in table order: the three parts of (六) win
    over its single row when both are given; rows not given are left out (not blanks)."""
    keys = set(rows)
    split = bool(keys & set(OTHER_HANDLING_SPLIT))
    return tuple(k for k in OUTCOME_ROW_KEYS if k in keys and not (k == "other_handling" and split))


def balance(table: Table3, column: str) -> IdentityResult:
    """一 + 二 = （七） + 四 in one column; not checkable unless all four cells are given."""
    paths = tuple(app_path(r, column) for r in BALANCE_ROW_KEYS)
    values = tuple(app_cell(table, r, column) for r in BALANCE_ROW_KEYS)
    missing = tuple(p for p, v in zip(paths, values, strict=True) if v is None)
    if missing:
        return IdentityResult("balance", "not_checkable", paths, values, missing=missing, column=column)
    new, carried, total, forward = values
    assert new is not None and carried is not None and total is not None and forward is not None  # none missing
    stated, computed = new + carried, total + forward
    status: Status = "holds" if stated == computed else "fails"
    return IdentityResult("balance", status, paths, values, stated, computed, column=column)


def outcome_sum(table: Table3, column: str, rows: Sequence[str] | None = None) -> IdentityResult:
    """（七）总计 = sum of the leaf outcome rows in one column (``rows``: default ``outcome_rows``)."""
    leaves = outcome_rows(table, column) if rows is None else rows
    return sum_identity(
        "outcome_sum",
        (app_path("total", column), app_cell(table, "total", column)),
        [(app_path(r, column), app_cell(table, r, column)) for r in leaves],
        column=column,
    )


def row_sum(table: Table3, row: str) -> IdentityResult:
    """A row's 总计 = sum of its six applicant columns."""
    return sum_identity(
        "row_sum",
        (app_path(row, "total"), app_cell(table, row, "total")),
        [(app_path(row, c), app_cell(table, row, c)) for c in APPLICANT_PARTS],
        row=row,
    )


def application_identities(table: Table3, layout: str | None = None) -> list[IdentityResult]:
    """Every identity of a recorded table 三: per column balance and outcome_sum, then row_sum per row present."""
    results: list[IdentityResult] = []
    for col in APPLICANT_COLUMNS:
        results.append(balance(table, col))
        results.append(outcome_sum(table, col, outcome_rows(table, col, layout)))
    rows = ["new_received", "carried_over", *outcome_rows(table, None, layout), "total", "carried_forward"]
    results += [row_sum(table, r) for r in rows if r in table]
    return results


# ------------------------------------------------------------------ table 四
def group_sum(table: Table4, group: str) -> IdentityResult:
    """Table 四: a group's 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    values = table.get(group) or {}
    base = f"review_litigation.{group}"
    return sum_identity(
        "group_sum", (f"{base}.total", values.get("total")),
        [(f"{base}.{o}", values.get(o)) for o in REVIEW_PARTS], group=group,
    )


def review_identities(table: Table4) -> list[IdentityResult]:
    """``group_sum`` of every group present, in table order."""
    return [group_sum(table, g) for g in REVIEW_GROUPS if g in table]


# ------------------------------------------------------------------ pre2019
PRE2019_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("applications.received", tuple(f"applications.{k}" for k in PRE2019_CHANNELS)),
    ("applications.responses", tuple(f"applications.{k}" for k in PRE2019_RESPONSE_OUTCOMES)),
    *((f"{g}.total", tuple(f"{g}.{o}" for o in PRE2019_CASE_PARTS)) for g in PRE2019_CASE_GROUPS),
)


def pre2019_sums(values: Pre2019Values) -> list[IdentityResult]:
    """The pre-2019 sums: 收到申请数 = channels, 申请答复数 = outcomes, each case group's 数量 = its parts.

    ``group`` of a result is the total's key (``applications.received``, ``review.total`` …).
    """
    return [
        sum_identity(
            "pre2019_sum", (f"pre2019.{total}", values.get(total)),
            [(f"pre2019.{k}", values.get(k)) for k in parts], group=total,
        )
        for total, parts in PRE2019_SUMS
    ]
