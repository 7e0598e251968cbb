"""The response models' rules: what makes instructor re-ask, and what is read leniently."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llm_answers import row
from extractor.grounding import number_printed, row_numbers_printed
from extractor.llm.quotes import locate
from extractor.llm.schemas import (
    ApplicationsAnswer,
    ClaimsAnswer,
    MetaAnswer,
    ReviewAnswer,
    application_identity_errors,
    response_model,
)

# A 2021 table 三 as PDF text leaves it: seven cells of a row run together.
TABLE3 = (
    "三、收到和处理政府信息公开申请情况申请人情况自然人商业企业科研机构社会公益组织法律服务机构其他总计"
    "一、本年新收政府信息公开申请数量4000004二、上年结转政府信息公开申请数量1000001"
    "（一）予以公开3000003（二）部分公开（区分处理的，只计这一情形，不计其他情形）1000001"
    "（七）总计4000004四、结转下年度继续办理1000001"
)


GOOD_ROWS = [
    row("new_received", "一、本年新收政府信息公开申请数量4000004", 4, 0, 0, 0, 0, 0, 4),
    row("carried_over", "二、上年结转政府信息公开申请数量1000001", 1, 0, 0, 0, 0, 0, 1),
    row("granted", "（一）予以公开3000003", 3, 0, 0, 0, 0, 0, 3),
    row("partially_granted", "部分公开（区分处理的，只计这一情形，不计其他情形）1000001", 1, 0, 0, 0, 0, 0, 1),
    row("total", "（七）总计4000004", 4, 0, 0, 0, 0, 0, 4),
    row("carried_forward", "四、结转下年度继续办理1000001", 1, 0, 0, 0, 0, 0, 1),
]


def validate(model, data, source=TABLE3, **ctx):
    return model.model_validate(data, context={"source": source, **ctx}, strict=True)


def test_consistent_table_passes_in_strict_mode():
    answer = validate(ApplicationsAnswer, {"rows": GOOD_ROWS})
    assert [r.row for r in answer.rows][0] == "new_received"
    assert application_identity_errors({r.row: r for r in answer.rows}) == []


@pytest.mark.parametrize(("raw", "expected"), [("4", 4), ("４", 4), ("1,000", 1000), ("—", None), ("", None), (None, None), (0, 0)])
def test_numbers_given_as_strings_are_parsed_before_strict_checks(raw, expected):
    data = row("granted", "（一）予以公开3000003", raw, None, None, None, None, None, None)
    answer = ApplicationsAnswer.model_validate({"rows": [data]}, context={"lenient": True}, strict=True)
    assert answer.rows[0].natural_person == expected
    assert answer.rows[0].commercial is None  # a blank stays None, never 0


def test_a_non_number_is_refused_with_a_message_the_model_can_use():
    data = row("granted", "（一）予以公开3000003", "三件", 0, 0, 0, 0, 0, 3)
    with pytest.raises(ValidationError, match="not a number"):
        ApplicationsAnswer.model_validate({"rows": [data]}, context={"lenient": True}, strict=True)


def test_broken_balance_identity_is_re_asked_with_the_column_named():
    rows = [dict(r) for r in GOOD_ROWS]
    # cells printed apart; the 1 of 自然人 read into 其他: every number is printed, the balance breaks
    printed = TABLE3.replace("继续办理1000001", "继续办理1 0 0 0 0 0 1")
    rows[5] = row("carried_forward", "四、结转下年度继续办理1 0 0 0 0 0 1", 0, 0, 0, 0, 0, 1, 1)
    with pytest.raises(ValidationError) as err:
        validate(ApplicationsAnswer, {"rows": rows}, source=printed)
    text = str(err.value)
    assert "column natural_person: new_received+carried_over=5 but total+carried_forward=4" in text
    assert "printed_inconsistencies" in text  # the model is told how to report a table that is wrong as printed


def test_printed_inconsistency_is_accepted_when_the_model_says_so():
    rows = [dict(r) for r in GOOD_ROWS]
    rows[2] = row("granted", "（一）予以公开3000003", 3, 0, 0, 0, 0, 0, 3)
    rows[4] = row("total", "（七）总计4000004", 4, 0, 0, 0, 0, 0, 4)
    rows[3] = row("partially_granted", "部分公开（区分处理的，只计这一情形，不计其他情形）1000000", 1, 0, 0, 0, 0, 0, 0)
    printed = TABLE3.replace("不计其他情形）1000001", "不计其他情形）1000000")  # the report itself prints total 0
    with pytest.raises(ValidationError, match="row partially_granted: the six applicant columns sum to 1, not total 0"):
        validate(ApplicationsAnswer, {"rows": rows}, source=printed)
    answer = validate(ApplicationsAnswer, {"rows": rows, "printed_inconsistencies": ["部分公开 row total printed 0"]},
                      source=printed)
    assert answer.printed_inconsistencies


def test_a_number_that_is_not_in_the_section_is_re_asked():
    rows = [dict(r) for r in GOOD_ROWS]
    rows[0] = row("new_received", "一、本年新收政府信息公开申请数量4000004", 7, 0, 0, 0, 0, 0, 7)
    with pytest.raises(ValidationError, match=r"new_received: the values \[7, 0, 0, 0, 0, 0, 7\] are not what the quoted row"):
        validate(ApplicationsAnswer, {"rows": rows})


def test_a_quote_that_is_not_in_the_section_is_re_asked():
    rows = [dict(r) for r in GOOD_ROWS]
    rows[2] = row("granted", "予以公开 3 0 0 0 0 0 3 件", 3, 0, 0, 0, 0, 0, 3)
    with pytest.raises(ValidationError, match="quote .* is not in the section"):
        validate(ApplicationsAnswer, {"rows": rows})


def test_duplicate_rows_and_layout_2019_split_rows_are_refused():
    rows = [*GOOD_ROWS, GOOD_ROWS[2]]
    with pytest.raises(ValidationError, match="given twice"):
        validate(ApplicationsAnswer, {"rows": rows})
    split = [*GOOD_ROWS, row("other_handling.other", "（七）总计4000004", 0, 0, 0, 0, 0, 0, 0)]
    with pytest.raises(ValidationError, match="layout 2019 has one"):
        validate(ApplicationsAnswer, {"rows": split}, layout="2019")


def test_lenient_reading_keeps_an_answer_that_breaks_the_rules():
    rows = [row("new_received", "not in the text", 99, 0, 0, 0, 0, 0, 1)]
    answer = ApplicationsAnswer.model_validate({"rows": rows}, context={"lenient": True, "source": TABLE3})
    assert answer.rows[0].natural_person == 99


TABLE4 = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计 2 1 0 0 3 0 0 0 0 0 0 0 0 0 0 2 1 0 0 2"


def test_review_groups_sum_rule():
    groups = [
        {"group": "review", "quote": "2 1 0 0 3", "upheld": 2, "corrected": 1, "other": 0, "pending": 0, "total": 3},
        {"group": "litigation_direct", "quote": "0 0 0 0 0", "upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    ]
    assert validate(ReviewAnswer, {"groups": groups}, source=TABLE4).groups[0].total == 3
    groups[0] = {**groups[0], "quote": "2 1 0 0 2", "total": 2}  # a table printed so (the last five numbers)
    with pytest.raises(ValidationError, match="group review: outcomes sum to 3, not total 2"):
        validate(ReviewAnswer, {"groups": groups}, source=TABLE4)


TABLE2 = "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件5225第二十条第（八）项行政事业性收费739.0766"


def test_active_disclosure_columns_follow_the_layout():
    model = response_model("active_disclosure", "2021")
    good = {"rows": [{"row": "regulations", "quote": "规章000", "issued": 0, "repealed": 0, "in_force": 0},
                     {"row": "normative_documents", "quote": "行政规范性文件5225", "issued": 5, "repealed": 2, "in_force": 25},
                     {"row": "fees", "quote": "行政事业性收费739.0766", "amount_10k_yuan": "739.0766"}]}
    answer = validate(model, good, source=TABLE2)
    assert answer.rows[2].amount_10k_yuan == pytest.approx(739.0766)
    bad = {"rows": [{"row": "fees", "quote": "行政事业性收费739.0766", "amount_10k_yuan": 739.0766, "issued": 0}]}
    with pytest.raises(ValidationError, match="row fees has no column issued in layout 2021"):
        validate(model, bad, source=TABLE2)
    assert "procurement" in str(response_model("active_disclosure", "2019").model_json_schema())


HEADER = "河北省工业和信息化厅2021年度政府信息公开工作报告……河北省工业和信息化厅 2022年1月20日"


def test_meta_rules():
    good = {"agency": "河北省工业和信息化厅", "year": 2021, "year_quote": "2021年度", "published": "2022-01-20",
            "published_quote": "2022年1月20日", "kind": "annual_report"}
    assert validate(MetaAnswer, good, source=HEADER).published == "2022-01-20"
    with pytest.raises(ValidationError, match="agency '河北省工信厅' is not printed"):
        validate(MetaAnswer, {**good, "agency": "河北省工信厅"}, source=HEADER)
    with pytest.raises(ValidationError, match="does not state 2022-01-21"):
        validate(MetaAnswer, {**good, "published": "2022-01-21"}, source=HEADER)
    cn = "某局二〇二一年度政府信息公开工作报告 二〇二二年一月二十日"
    assert validate(MetaAnswer, {"agency": "某局", "year": 2021, "year_quote": "二〇二一年度", "published": "2022-01-20",
                                 "published_quote": "二〇二二年一月二十日"}, source=cn).year == 2021
    with pytest.raises(ValidationError, match="year_quote '二〇二一年度' does not contain 2020"):
        validate(MetaAnswer, {"year": 2020, "year_quote": "二〇二一年度"}, source=cn)
    with pytest.raises(ValidationError, match="not a YYYY-MM-DD date"):
        validate(MetaAnswer, {**good, "published": "2022年1月20日"}, source=HEADER)


PROSE = "梳理权责事项共33项，其中行政确认1项，其他行政权力2项，其他权责事项30项。按时办结率100%。"


def test_claims_rules():
    claim = {"quote": "权责事项共33项，其中行政确认1项，其他行政权力2项，其他权责事项30项",
             "total": {"name": "权责事项", "value": "33", "unit": "项"},
             "parts": [{"name": "行政确认", "value": 1}, {"name": "其他行政权力", "value": 2}, {"name": "其他权责事项", "value": 30}]}
    answer = validate(ClaimsAnswer, {"claims": [claim]}, source=PROSE)
    assert answer.claims[0].total.value == 33
    wrong = {**claim, "parts": [{"name": "行政确认", "value": 3}]}
    with pytest.raises(ValidationError, match="part 行政确认=3 is not in its quote"):
        validate(ClaimsAnswer, {"claims": [wrong]}, source=PROSE)
    lonely = {"quote": "按时办结率100%", "total": None, "parts": []}
    with pytest.raises(ValidationError, match="give a total with its parts, or a rate"):
        validate(ClaimsAnswer, {"claims": [lonely]}, source=PROSE)
    rate = {**lonely, "rate": {"name": "按时办结率", "percent": "100%"[:-1]}}
    assert validate(ClaimsAnswer, {"claims": [rate]}, source=PROSE).claims[0].rate.percent == 100


def test_grounding_helpers_tolerate_pdf_spacing_and_full_width_forms():
    text = "一、本年新收政府信息公开\n申请数量　４ 0 0"
    span = locate("本年新收政府信息公开申请数量4", text)
    assert span is not None and text[span.start : span.end].startswith("本年新收")
    assert text[span.end - 1] == "４"
    assert locate("不在文中", text) is None
    assert number_printed(4, text) and not number_printed(5, text)
    assert number_printed(35000, "收费3.5万元") and number_printed(1234, "共1,234件")
    assert number_printed(739.0766, "739.0766")
    assert number_printed(3, "共3项") and not number_printed(3, "共33项")


def test_a_number_is_grounded_in_its_own_whole_digits_never_inside_a_longer_number():
    # issue 14 (4): 88283 -> 8283, 153 -> 15, 89 -> 98 were accepted as substrings
    assert not number_printed(8283, "共88283件") and not number_printed(15, "共153件")
    assert not number_printed(98, "共89件") and number_printed(89, "共89件")
    # a zero needs a printed 0, or 无/未 in the row itself; "20" holds no zero
    assert not number_printed(0, "收费及减免情况 20") and number_printed(0, "本年未收取费用")
    assert not number_printed(0, "收费 20", zero_words=False)


def test_a_row_run_together_is_split_exactly_by_its_values():
    assert row_numbers_printed([4, 0, 0, 0, 0, 0, 4], "一、本年新收政府信息公开申请数量4000004")
    assert row_numbers_printed([21, 0, 0, 0, 0, 0, 21], "一、本年新收 21 0 0 0 0 0 21")
    assert not row_numbers_printed([8283], "共88283件")  # a run must be used whole
    # the all-zero skeleton where the row prints numbers, and an invented 0 beyond the printed ones
    assert not row_numbers_printed([0, 0, 0, 0, 0, 0, 0], "一、本年新收 21 0 0 0 0 0 21")
    assert not row_numbers_printed([0, 0, 0], "规章 0 0")


PRE2019_TEXT = "全年共受理政府信息公开申请30件,其中网上申请10件,现场申请5件,信函申请15件。行政复议2件,均予以维持。"


def test_pre2019_statistics_rules():
    from extractor.llm.schemas import Pre2019Answer

    items = [
        {"key": "applications.received", "quote": "共受理政府信息公开申请30件", "value": 30},
        {"key": "applications.online", "quote": "网上申请10件", "value": 10},
        {"key": "review.total", "quote": "行政复议2件", "value": 2},
    ]
    answer = validate(Pre2019Answer, {"items": items}, source=PRE2019_TEXT)
    assert [i.value for i in answer.items] == [30, 10, 2]
    with pytest.raises(ValidationError, match=r"applications.fax: the values \[7\] are not what the quoted row"):
        validate(Pre2019Answer, {"items": [{"key": "applications.fax", "quote": "网上申请10件", "value": 7}]}, source=PRE2019_TEXT)
    with pytest.raises(ValidationError, match="applications.online given twice"):
        validate(Pre2019Answer, {"items": [*items, items[1]]}, source=PRE2019_TEXT)
    with pytest.raises(ValidationError, match=r"review.total: the values \[3\] are not what the quoted row '行政复议2件'"):
        validate(Pre2019Answer, {"items": [{"key": "review.total", "quote": "行政复议2件", "value": 3}]}, source=PRE2019_TEXT)
    cases = [{"key": "review.total", "quote": "行政复议2件", "value": 2}] + [
        {"key": f"review.{k}", "quote": "行政复议2件", "value": v} for k, v in (("upheld", 2), ("corrected", 2), ("other", 2))
    ]
    with pytest.raises(ValidationError, match="review.total=2 but its parts sum to 6"):
        validate(Pre2019Answer, {"items": cases}, source=PRE2019_TEXT)
