"""Reconciling the reader's and the model's readings: agreed, chosen, conflicted — and a blank is not a zero."""

from __future__ import annotations

from extractor.document import Span
from extractor.readings import Evidence, Reading
from extractor.reconcile import conflicts, reconcile
from extractor.record import (
    APPLICATION_ROWS_SINGLE_OTHER,
    ApplicantCounts,
    CaseOutcomes,
    Claim,
    ClaimPart,
    ClaimRate,
    ClaimTotal,
    Meta,
    Record,
)

TEXT = "四、行政复议\t维持 10\t纠正 1\t其他 0\t尚未审结 0\t总计 11\n另有 7 件。"


def _span(needle: str, text: str = TEXT) -> Span:
    at = text.index(needle)
    return Span(start=at, end=at + len(needle))


def _review(upheld, corrected, other, pending, total) -> Record:  # noqa: ANN001
    return Record(meta=Meta(year=2023, layout="2021"), review_litigation={
        "review": CaseOutcomes(upheld=upheld, corrected=corrected, other=other, pending=pending, total=total)})


def _evidence(engine: str, **cells: str) -> dict[str, Evidence]:
    return {f"review_litigation.review.{k}": Evidence(span=_span(v), engine=engine, source=engine) for k, v in cells.items()}




def _reading(engine: str, record: Record, spans: dict[str, str] | None = None) -> Reading:
    return Reading(engine=engine, record=record, evidence=_evidence(engine, **(spans or {})))  # type: ignore[arg-type]


def test_without_a_model_every_value_is_the_readers():
    reader = _reading("reader", _review(10, 1, 0, 0, 11), {"upheld": "10", "total": "11"})
    record, evidence = reconcile(reader, None, TEXT)
    assert record == reader.record
    assert {e.source for e in evidence.values()} == {"reader"}
    assert evidence["review_litigation.review.upheld"].span == _span("10")


def test_same_value_is_agreed():
    reader = _reading("reader", _review(10, 1, 0, 0, 11), {"upheld": "10", "total": "11"})
    llm = _reading("llm", _review(10, 1, 0, 0, 11))
    record, evidence = reconcile(reader, llm, TEXT)
    assert record.review_litigation["review"].total == 11  # type: ignore[index]
    assert {e.source for e in evidence.values()} == {"agreed"}
    assert evidence["review_litigation.review.total"].engine == "reader"
    assert conflicts(evidence) == []


def test_a_model_value_never_replaces_a_printed_number_the_reader_read():
    # the model's 11 adds up where the reader's 1 does not, but a table that does not add up as printed must
    # stay so: the model cannot be told from one that "corrects" it (issue 14, transpose)
    reader = _reading("reader", _review(10, 1, 0, 0, 1), {"upheld": "10", "total": "11"})
    llm = _reading("llm", _review(10, 1, 0, 0, 11))
    record, evidence = reconcile(reader, llm, TEXT)
    total = evidence["review_litigation.review.total"]
    assert record.review_litigation["review"].total == 1  # type: ignore[index]
    assert (total.source, total.engine, total.value) == ("conflicted", "reader", 1)
    assert "llm read 11" in (total.note or "")


def test_ungrounded_model_value_loses_to_the_grounded_reader():
    reader = _reading("reader", _review(10, 1, 0, 0, 11), {"upheld": "10", "total": "11"})
    llm = _reading("llm", _review(10, 1, 0, 0, 12))  # 12 is nowhere in the text, and breaks the sum
    record, evidence = reconcile(reader, llm, TEXT)
    total = evidence["review_litigation.review.total"]
    assert record.review_litigation["review"].total == 11  # type: ignore[index]
    assert (total.source, total.engine) == ("conflicted", "reader")
    assert "llm read 12" in (total.note or "")


def test_both_plausible_is_a_conflict_and_the_reader_value_is_kept():
    # table 三 row with no identity deciding between 7 and 10, both in the text
    def rec(value: int) -> Record:
        return Record(applications={"granted": ApplicantCounts(natural_person=value)})

    reader = Reading(engine="reader", record=rec(7), evidence={
        "applications.granted.natural_person": Evidence(span=_span("7"), engine="reader")})
    llm = Reading(engine="llm", record=rec(10))
    record, evidence = reconcile(reader, llm, TEXT)
    cell = evidence["applications.granted.natural_person"]
    assert record.applications["granted"].natural_person == 7  # type: ignore[index]
    assert cell.source == "conflicted" and "reader read 7" in (cell.note or "") and "llm read 10" in (cell.note or "")
    assert conflicts(evidence) == ["applications.granted.natural_person"]


def test_a_blank_is_not_a_zero():
    # the reader left a blank cell blank; the model wrote 0 without a span: that cannot be told from a blank
    reader = _reading("reader", _review(10, 1, None, 0, 11), {"upheld": "10", "total": "11"})
    llm = _reading("llm", _review(10, 1, 0, 0, 11))
    record, evidence = reconcile(reader, llm, TEXT)
    assert record.review_litigation["review"].other is None  # type: ignore[index]
    assert evidence["review_litigation.review.other"].source == "conflicted"


ROW = "维持 10\t纠正 1\t其他 0\t尚未审结 0\t总计 11"


def _quoted(record: Record) -> Reading:
    """The model's reading of the review row, every cell quoting the printed row."""
    cells = ("upheld", "corrected", "other", "pending", "total")
    return Reading(engine="llm", record=record, evidence={
        f"review_litigation.review.{c}": Evidence(span=_span(ROW), engine="llm", source="llm") for c in cells})


def test_model_number_fills_a_reader_blank_when_grounded_and_consistent():
    reader = _reading("reader", _review(10, 1, 0, 0, None), {"upheld": "10"})
    record, evidence = reconcile(reader, _quoted(_review(10, 1, 0, 0, 11)), TEXT)
    assert record.review_litigation["review"].total == 11  # type: ignore[index]
    assert (evidence["review_litigation.review.total"].source, evidence["review_litigation.review.total"].engine) == ("llm", "llm")


def test_a_fill_that_breaks_or_leaves_an_identity_unchecked_is_refused():
    reader = _reading("reader", _review(10, 1, 0, 0, None), {"upheld": "10"})
    record, evidence = reconcile(reader, _quoted(_review(10, 1, 0, 0, 10)), TEXT)  # 10 printed in the row, sum breaks
    assert record.review_litigation["review"].total is None  # type: ignore[index]
    assert evidence["review_litigation.review.total"].source == "conflicted"
    # the model's other reading of that row breaks no identity alone, but with the reader's blank total the
    # identity cannot be checked: no fill
    reader = _reading("reader", _review(10, None, 0, 0, None), {"upheld": "10"})
    record, _ = reconcile(reader, _quoted(_review(10, 1, 0, 0, None)), TEXT)
    assert record.review_litigation["review"].corrected is None  # type: ignore[index]


def test_the_all_zero_skeleton_never_fills_a_blank():
    reader = _reading("reader", _review(None, None, None, None, None))
    record, evidence = reconcile(reader, _quoted(_review(0, 0, 0, 0, 0)), TEXT)
    assert record.review_litigation["review"].model_dump() == _review(None, None, None, None, None).review_litigation["review"].model_dump()  # type: ignore[index]
    assert "does not print the values" in (evidence["review_litigation.review.upheld"].note or "")


def test_a_table_only_the_model_read_needs_quotes_of_its_own():
    rows = {r: ApplicantCounts() for r in APPLICATION_ROWS_SINGLE_OTHER}
    rows["new_received"] = ApplicantCounts(total=7)
    reader = _reading("reader", _review(10, 1, 0, 0, 11), {"upheld": "10"})
    llm = Reading(engine="llm", record=Record(applications=rows))  # no quotes: nothing is grounded
    record, evidence = reconcile(reader, llm, TEXT)
    assert record.applications is None
    assert evidence["applications.new_received.total"].source == "conflicted"
    assert evidence["review_litigation.review.upheld"].source == "reader"


CLAIM_TEXT = "共收到申请154件，其中办结148件，结转6件。按时办结率100%（3/3）。收到申请171件。"


def test_claims_are_reconciled_one_to_one_and_the_reader_wins_a_misread():
    a = Claim(total=ClaimTotal(name="申请", value=154, unit="件"), parts=[ClaimPart(name="办结", value=148), ClaimPart(name="结转", value=6)])
    a_again = Claim(total=ClaimTotal(name="共收到申请", value=154), parts=[ClaimPart(name="结转", value=6), ClaimPart(name="共办结", value=148)])
    misread = Claim(total=ClaimTotal(name="申请", value=171), parts=[ClaimPart(name="办结", value=148), ClaimPart(name="结转", value=6)])
    rate = Claim(rate=ClaimRate(name="办结率", percent=100, numerator=3, denominator=3))
    first = _span("共收到申请154件，其中办结148件，结转6件", CLAIM_TEXT)
    reader = Reading(engine="reader", record=Record(claims=[a]), evidence={"claims.0": Evidence(span=first)})
    llm = Reading(engine="llm", record=Record(claims=[a_again, rate]), evidence={
        "claims.0": Evidence(span=first, engine="llm"),
        "claims.1": Evidence(span=_span("按时办结率100%（3/3）", CLAIM_TEXT), engine="llm")})
    record, evidence = reconcile(reader, llm, CLAIM_TEXT)
    assert record.claims == [a, rate] and evidence["claims.0"].source == "agreed" and evidence["claims.1"].engine == "llm"
    # a misread total (171 is printed in the text, but the claim does not add up) is matched to the reader's claim
    llm = Reading(engine="llm", record=Record(claims=[misread]), evidence={"claims.0": Evidence(span=first, engine="llm")})
    record, evidence = reconcile(reader, llm, CLAIM_TEXT)
    assert record.claims == [a] and evidence["claims.0"].source == "conflicted"


SHARE_TEXT = "提出取消行政权力22项，其中初审转报事项2项、行政确认事项4项、其他类事项16项，占全部行政权力47项的46%。"


def test_a_sum_and_a_rate_of_one_sentence_pair_by_shape_and_a_renamed_repeat_is_not_added():
    whole = _span(SHARE_TEXT.rstrip("。"), SHARE_TEXT)
    total = Claim(total=ClaimTotal(name="取消行政权力", value=22, unit="项"),
                  parts=[ClaimPart(name="初审转报事项", value=2), ClaimPart(name="行政确认事项", value=4),
                         ClaimPart(name="其他类事项", value=16)])
    share = Claim(rate=ClaimRate(name="取消行政权力占全部行政权力", percent=46, numerator=22, denominator=47))
    misread_total = total.model_copy(update={"parts": [*total.parts[:2], ClaimPart(name="其他类事项", value=61)]})
    renamed_share = Claim(rate=ClaimRate(name="占比", percent=46, numerator=22, denominator=47))
    reader = Reading(engine="reader", record=Record(claims=[share, total]),
                     evidence={"claims.0": Evidence(span=whole), "claims.1": Evidence(span=whole)})
    llm = Reading(engine="llm", record=Record(claims=[misread_total, renamed_share]), evidence={
        "claims.0": Evidence(span=whole, engine="llm"), "claims.1": Evidence(span=whole, engine="llm")})
    record, evidence = reconcile(reader, llm, SHARE_TEXT)
    assert record.claims == [share, total]  # nothing added: the renamed share is the reader's, said again
    # the rate agrees with the rate; the misread sum conflicts with the sum (not crosswise with the rate)
    assert evidence["claims.0"].source == "agreed"
    assert evidence["claims.1"].source == "conflicted" and "61" in (evidence["claims.1"].note or "")


META_TEXT = "2019年法治政府建设工作总结\n河北省工业和信息化厅\n一、工作开展情况\n全年办理事项12件。\n2020年1月10日"


def test_meta_is_reconciled_like_cells_the_models_value_used_where_the_detectors_is_implausible():
    detector = Meta(agency="全年办理事项", year=2019, kind="annual_report", layout="pre2019")  # a fragment, a wrong kind
    model = Meta(agency="河北省工业和信息化厅", year=2019, kind="work_summary", published="2020-01-10")
    reader = Reading(engine="reader", record=Record(meta=detector))
    llm = Reading(engine="llm", record=Record(meta=model), evidence={
        "meta.agency": Evidence(span=_span("河北省工业和信息化厅", META_TEXT), engine="llm"),
        "meta.published": Evidence(span=_span("2020年1月10日", META_TEXT), engine="llm")})
    record, evidence = reconcile(reader, llm, META_TEXT)
    assert record.meta.agency == "河北省工业和信息化厅" and evidence["meta.agency"].source == "chosen"
    assert "detector read 全年办理事项" in (evidence["meta.agency"].note or "")
    assert record.meta.kind == "work_summary" and record.meta.layout is None  # the text names no disclosure report
    assert record.meta.published == "2020-01-10"  # the detector had none; the model's is printed
    # a report of the disclosure regulation stays an annual report whatever the model says
    text = META_TEXT + "\n政府信息公开工作年度报告"
    record, _ = reconcile(reader, llm, text)
    assert record.meta.kind == "annual_report"
    # a model agency that is not printed (no span) or not a body's name never replaces the detector's
    llm.evidence.pop("meta.agency")
    record, _ = reconcile(Reading(engine="reader", record=Record(meta=Meta(agency=None))), llm, META_TEXT)
    assert record.meta.agency is None


def test_a_model_amount_pushed_into_a_count_column_is_refused():
    text = "行政许可 75394432.52"
    rows = {"licensing": {"decisions": 75394432.52}}
    reader = Reading(engine="reader", record=Record(meta=Meta(layout="2021"), active_disclosure={"licensing": {"decisions": None}}))
    llm = Reading(engine="llm", record=Record(meta=Meta(layout="2021"), active_disclosure=rows),
                  evidence={"active_disclosure.licensing.decisions": Evidence(span=_span(text, text), engine="llm")})
    record, evidence = reconcile(reader, llm, text)
    assert record.active_disclosure["licensing"]["decisions"] is None  # type: ignore[index]
    assert "count column" in (evidence["active_disclosure.licensing.decisions"].note or "")
