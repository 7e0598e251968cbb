"""extractor.identities: each identity of spec §3 holds, breaks, or is not checkable with blanks."""

from __future__ import annotations

from extractor import identities as ids
from extractor.numbers import as_number
from extractor.record import APPLICANT_COLUMNS, APPLICATION_ROWS_SINGLE_OTHER, OTHER_HANDLING_SPLIT, REVIEW_OUTCOMES

PARTS = ids.APPLICANT_PARTS


def _row(*six: int | None, total: int | None = None) -> dict[str, int | None]:
    values = dict(zip(PARTS, six))
    values["total"] = total if total is not None or None in six else sum(six)  # type: ignore[arg-type]
    return values


def _table3() -> dict[str, dict[str, int | None]]:
    """A consistent 2019 table 三: 10 new + 2 carried = 11 handled + 1 carried forward, in every column."""
    zero = _row(0, 0, 0, 0, 0, 0)
    table = {key: dict(zero) for key in APPLICATION_ROWS_SINGLE_OTHER}
    table["new_received"] = _row(5, 2, 1, 1, 1, 0)
    table["carried_over"] = _row(1, 1, 0, 0, 0, 0)
    table["granted"] = _row(4, 2, 1, 0, 1, 0)
    table["unavailable.not_held"] = _row(1, 1, 0, 1, 0, 0)
    table["total"] = _row(5, 3, 1, 1, 1, 0)
    table["carried_forward"] = _row(1, 0, 0, 0, 0, 0)
    return table


# ------------------------------------------------------------------ table 三 balance
def test_balance_holds() -> None:
    for col in APPLICANT_COLUMNS:
        r = ids.balance(_table3(), col)
        assert r.holds and r.checkable and r.identity == "balance" and r.column == col
    r = ids.balance(_table3(), "total")
    assert (r.stated, r.computed) == (12, 12)
    assert r.paths == tuple(f"applications.{k}.total" for k in ("new_received", "carried_over", "total", "carried_forward"))
    assert r.values == (10, 2, 11, 1)


def test_balance_breaks() -> None:
    table = _table3()
    table["carried_forward"]["natural_person"] = 3
    r = ids.balance(table, "natural_person")
    assert r.fails and (r.stated, r.computed) == (6, 8) and r.complete


def test_balance_with_a_blank_is_not_checkable() -> None:
    table = _table3()
    table["carried_over"]["commercial"] = None
    r = ids.balance(table, "commercial")
    assert r.status == "not_checkable" and not r.checkable
    assert r.missing == ("applications.carried_over.commercial",)
    del table["carried_forward"]  # an absent row is blank too, never zero
    assert ids.balance(table, "research").missing == ("applications.carried_forward.research",)


# ------------------------------------------------------------------ table 三 outcome_sum
def test_outcome_sum_holds() -> None:
    r = ids.outcome_sum(_table3(), "total")
    assert r.holds and r.stated == 11 and r.computed == 11
    assert r.paths[0] == "applications.total.total" and "applications.other_handling.total" in r.paths


def test_outcome_sum_breaks() -> None:
    table = _table3()
    table["granted"]["research"] = 4
    r = ids.outcome_sum(table, "research")
    assert r.fails and (r.stated, r.computed) == (1, 4)


def test_outcome_sum_with_blanks() -> None:
    table = _table3()
    table["denied.state_secret"]["natural_person"] = None
    r = ids.outcome_sum(table, "natural_person")
    assert r.status == "not_checkable" and r.missing == ("applications.denied.state_secret.natural_person",)
    # blank parts decide nothing ... unless the given parts already exceed the total
    table["granted"]["natural_person"] = 9
    r = ids.outcome_sum(table, "natural_person")
    assert r.fails and not r.complete and r.computed == 10
    table["total"]["natural_person"] = None  # a blank total: not checkable, whatever the parts
    r = ids.outcome_sum(table, "natural_person")
    assert r.status == "not_checkable" and r.missing[0] == "applications.total.natural_person"


def test_other_handling_rows_of_a_record_and_of_an_answer() -> None:
    split = {k: {"total": 1} for k in OTHER_HANDLING_SPLIT}
    assert ids.other_handling_rows({}, layout="2019") == ("other_handling",)
    assert ids.other_handling_rows({}, layout="2021") == tuple(OTHER_HANDLING_SPLIT)
    assert ids.other_handling_rows(split) == tuple(OTHER_HANDLING_SPLIT)
    both = {**split, "other_handling": {"total": 3, "natural_person": None}}
    assert ids.other_handling_rows(both, "total") == ("other_handling",)  # the single row holds a value
    assert ids.other_handling_rows(both, "natural_person") == tuple(OTHER_HANDLING_SPLIT)
    # an answer: only the rows given, the parts of (六) win over its single row
    assert ids.answered_outcome_rows(["total", "granted", "other_handling", *OTHER_HANDLING_SPLIT]) == (
        "granted", *OTHER_HANDLING_SPLIT,
    )


# ------------------------------------------------------------------ table 三 row_sum
def test_row_sum_holds() -> None:
    r = ids.row_sum(_table3(), "granted")
    assert r.holds and r.row == "granted" and r.paths[0] == "applications.granted.total"


def test_row_sum_breaks() -> None:
    table = _table3()
    table["granted"]["total"] = 9
    r = ids.row_sum(table, "granted")
    assert r.fails and (r.stated, r.computed) == (9, 8)


def test_row_sum_with_blanks() -> None:
    table = _table3()
    table["granted"]["research"] = None
    r = ids.row_sum(table, "granted")
    assert r.status == "not_checkable" and r.missing == ("applications.granted.research",)
    table["granted"]["total"] = 2  # the given parts (7) already exceed the total: decided
    assert ids.row_sum(table, "granted").fails


def test_application_identities_all_hold_on_a_consistent_table() -> None:
    results = ids.application_identities(_table3(), "2019")
    assert results and all(r.holds for r in results)
    assert {r.identity for r in results} == {"balance", "outcome_sum", "row_sum"}


# ------------------------------------------------------------------ table 四 group_sum
def _table4() -> dict[str, dict[str, int | None]]:
    return {"review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 1, "total": 4}}


def test_group_sum_holds() -> None:
    r = ids.group_sum(_table4(), "review")
    assert r.holds and r.group == "review" and (r.stated, r.computed) == (4, 4)
    assert r.paths == tuple(f"review_litigation.review.{o}" for o in ("total", "upheld", "corrected", "other", "pending"))
    assert len(r.paths) == len(REVIEW_OUTCOMES)


def test_group_sum_breaks() -> None:
    table = _table4()
    table["review"]["total"] = 5
    r = ids.group_sum(table, "review")
    assert r.fails and (r.stated, r.computed) == (5, 4)


def test_group_sum_with_blanks() -> None:
    table = _table4()
    table["review"]["pending"] = None
    assert ids.group_sum(table, "review").status == "not_checkable"
    assert ids.group_sum({}, "litigation_direct").status == "not_checkable"
    assert [r.group for r in ids.review_identities(table)] == ["review"]


# ------------------------------------------------------------------ pre2019
def _pre2019() -> dict[str, int | None]:
    return {
        "applications.received": 6, "applications.in_person": 1, "applications.fax": 0, "applications.online": 4,
        "applications.letter": 1, "applications.other_channel": 0,
        "review.total": 2, "review.upheld": 1, "review.corrected": 1, "review.other": 0,
    }


def test_pre2019_sums_hold() -> None:
    by_total = {r.group: r for r in ids.pre2019_sums(_pre2019())}
    assert list(by_total) == ["applications.received", "applications.responses", "review.total", "litigation.total", "complaints.total"]
    assert by_total["applications.received"].holds and by_total["review.total"].holds
    assert by_total["applications.received"].paths[0] == "pre2019.applications.received"


def test_pre2019_sums_break() -> None:
    values = _pre2019()
    values["review.total"] = 3
    r = {r.group: r for r in ids.pre2019_sums(values)}["review.total"]
    assert r.fails and (r.stated, r.computed) == (3, 2)


def test_pre2019_sums_with_blanks() -> None:
    by_total = {r.group: r for r in ids.pre2019_sums(_pre2019())}
    assert by_total["applications.responses"].status == "not_checkable"
    assert not by_total["applications.responses"].parts_given
    values = _pre2019()
    values["applications.fax"] = None
    assert {r.group: r for r in ids.pre2019_sums(values)}["applications.received"].status == "not_checkable"


# ------------------------------------------------------------------ numbers
def test_sum_identity_cleans_float_sums() -> None:
    r = ids.sum_identity("pre2019_sum", ("t", 0.3), [("a", 0.1), ("b", 0.2)])
    assert r.holds and r.computed == 0.3
    assert as_number(5.0) == 5 and isinstance(as_number(5.0), int) and as_number(3.5) == 3.5
    assert as_number(0.1 + 0.2, ndigits=6) == 0.3 and as_number(7) == 7
