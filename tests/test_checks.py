"""The checker: every rule holds, breaks and cannot be checked on small hand-made records,
and on the gold records it reports exactly the gold ``source_inconsistencies``."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from typer.testing import CliRunner

import evalset
from extractor import checks, grounding
from extractor.document import Span
from extractor.readings import Evidence, Finding
from extractor.record import (
    APPLICATION_ROWS_SINGLE_OTHER,
    ApplicantCounts,
    CaseOutcomes,
    Claim,
    ClaimPart,
    ClaimRate,
    ClaimTotal,
    Meta,
    Pre2019,
    Pre2019Applications,
    Pre2019Cases,
    Record,
)


# ------------------------------------------------------------------ builders
def applications(total_only: dict[str, int | None], layout: str = "2019") -> Record:
    """A table 三 where every row's value sits in 自然人 and 总计, other columns 0."""
    rows = {}
    for row in APPLICATION_ROWS_SINGLE_OTHER:
        v = total_only.get(row, 0)
        rows[row] = ApplicantCounts(
            natural_person=v, commercial=0, research=0, social_welfare=0, legal_service=0, other_org=0, total=v
        )
    return Record(meta=Meta(year=2020, layout=layout), applications=rows)


def fails(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.status == "fail"]


def unchecked(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.status == "not_checkable"]


GOOD = {"new_received": 10, "carried_over": 2, "granted": 5, "partially_granted": 1, "unavailable.not_held": 4,
        "total": 10, "carried_forward": 2}


# ------------------------------------------------------------------ table 三
def test_consistent_table_three_has_no_findings():
    findings = checks.check_applications(applications(GOOD))
    assert findings == []


def test_balance_breaks():
    record = applications({**GOOD, "carried_forward": 3})
    broken = fails(checks.check_applications(record), "balance")
    assert {f.where.split("：")[0] for f in broken} == {"表三 自然人列", "表三 总计列"}
    assert (broken[0].stated, broken[0].computed) == (12, 13)


def test_outcome_sum_breaks_and_reports_the_leaf_sum():
    record = applications({**GOOD, "granted": 6, "total": 10, "carried_forward": 2})
    broken = fails(checks.check_applications(record), "outcome_sum")
    assert [(f.stated, f.computed) for f in broken] == [(10, 11), (10, 11)]


def test_row_sum_breaks():
    record = applications(GOOD)
    record.applications["granted"].total = 7  # type: ignore[index]
    broken = fails(checks.check_applications(record), "row_sum")
    assert [(f.stated, f.computed, f.paths[0]) for f in broken] == [(7, 5, "applications.granted.total")]


def test_blank_cells_are_not_checkable_never_a_pass():
    record = applications({**GOOD, "carried_over": None})
    findings = checks.check_applications(record)
    assert fails(findings, "balance") == []
    assert {f.where.split("：")[0] for f in unchecked(findings, "balance")} == {"表三 自然人列", "表三 总计列"}
    assert all(f.severity == "info" for f in unchecked(findings, "balance"))


def test_blank_leaf_is_decided_only_when_given_parts_exceed_the_total():
    record = applications({**GOOD, "partially_granted": None})  # 5 + ? + 4 vs 10: could hold
    assert fails(checks.check_applications(record), "outcome_sum") == []
    assert unchecked(checks.check_applications(record), "outcome_sum")
    record = applications({**GOOD, "partially_granted": None, "granted": 8})  # 8 + ? + 4 > 10: cannot hold
    broken = fails(checks.check_applications(record), "outcome_sum")
    assert broken and broken[0].computed == 12


def test_layout_2021_other_handling_parts_are_leaves():
    record = applications(GOOD, layout="2021")
    apps = record.applications
    assert apps is not None
    del apps["other_handling"]
    for key, value in (("other_handling.no_correction", 1), ("other_handling.unpaid_fee", 0), ("other_handling.other", 0)):
        apps[key] = ApplicantCounts(natural_person=value, commercial=0, research=0, social_welfare=0,
                                    legal_service=0, other_org=0, total=value)
    broken = fails(checks.check_applications(record), "outcome_sum")
    assert [(f.stated, f.computed) for f in broken] == [(10, 11), (10, 11)]
    assert "applications.other_handling.no_correction.total" in broken[1].paths


# ------------------------------------------------------------------ table 四
def _review(**groups: CaseOutcomes) -> Record:
    return Record(review_litigation=dict(groups))


def test_group_sum_holds_breaks_and_blank():
    ok = _review(review=CaseOutcomes(upheld=1, corrected=1, other=0, pending=0, total=2))
    assert checks.check_review_litigation(ok) == []
    bad = _review(review=CaseOutcomes(upheld=10, corrected=1, other=0, pending=0, total=0))
    assert [(f.rule, f.stated, f.computed) for f in checks.check_review_litigation(bad)] == [("group_sum", 0, 11)]
    blank = _review(review=CaseOutcomes(upheld=None, corrected=None, other=None, pending=None, total=0))
    assert [f.status for f in checks.check_review_litigation(blank)] == ["not_checkable"]


# ------------------------------------------------------------------ pre2019
def test_pre2019_sums():
    ok = Record(pre2019=Pre2019(
        applications=Pre2019Applications(received=3, in_person=1, fax=0, online=1, letter=1, other_channel=0),
        review=Pre2019Cases(total=1, upheld=1, corrected=0, other=0),
    ))
    assert checks.check_pre2019(ok) == []
    bad = ok.model_copy(deep=True)
    bad.pre2019.applications.received = 4  # type: ignore[union-attr]
    bad.pre2019.review.total = 2  # type: ignore[union-attr]
    assert sorted((f.stated, f.computed) for f in checks.check_pre2019(bad)) == [(2, 1), (4, 3)]
    blank = ok.model_copy(deep=True)
    blank.pre2019.applications.fax = None  # type: ignore[union-attr]
    findings = checks.check_pre2019(blank)
    assert [f.status for f in findings] == ["not_checkable"]


# ------------------------------------------------------------------ claims
def _sum_claim(total: int, parts: list[int], complete: bool = True) -> Claim:
    return Claim(total=ClaimTotal(name="信息", value=total, unit="条"),
                 parts=[ClaimPart(name=f"p{i}", value=v) for i, v in enumerate(parts)], complete=complete)


def _rate(percent: float, numerator: int | None, denominator: int | None) -> Claim:
    return Claim(rate=ClaimRate(name="占比", percent=percent, numerator=numerator, denominator=denominator))


def test_claim_sum():
    assert checks.check_claims(Record(claims=[_sum_claim(53, [49, 3, 1])])) == []
    broken = checks.check_claims(Record(claims=[_sum_claim(2139, [1744, 393, 21, 2])]))
    assert [(f.rule, f.stated, f.computed) for f in broken] == [("claim_sum", 2139, 2160)]
    # a 其中/等 list names only some parts: recorded, never checked as a sum
    assert checks.check_claims(Record(claims=[_sum_claim(293, [28, 27, 2], complete=False)])) == []


@pytest.mark.parametrize(
    ("percent", "num", "den", "holds"),
    [
        (51.85, 42, 81, True),
        (4.34, 35, 805, True),  # 4.348 truncated: within one unit of the last printed digit
        (27, 534, 1913, True),  # 27.91 printed as 27
        (33.9, 258, 805, False),  # 32.05
        (8.05, 145, 1913, False),  # 7.58
        (100, 171, 117, False),
    ],
)
def test_claim_rate(percent, num, den, holds):
    findings = checks.check_claims(Record(claims=[_rate(percent, num, den)]))
    assert (findings == []) is holds
    if not holds:
        assert findings[0].computed == round(num / den * 100, 2)


def test_claim_rate_without_counts_is_not_checkable():
    findings = checks.check_claims(Record(claims=[_rate(100, None, None)]))
    assert [(f.rule, f.status) for f in findings] == [("claim_rate", "not_checkable")]


# ------------------------------------------------------------------ prose vs table
def test_prose_count_agrees_with_any_quantity_it_may_describe():
    record = applications({**GOOD, "new_received": 8, "carried_over": 2, "total": 10, "carried_forward": 0,
                           "unavailable.not_held": 4})
    # 收到 10 = 一 8 + 二 2 (counting the carried-over application) is not a contradiction
    assert checks.check_prose_vs_table(record, "2020年，共收到政府信息公开申请10件。") == []
    assert checks.check_prose_vs_table(record, "2020年，共收到政府信息公开申请8件。") == []
    broken = checks.check_prose_vs_table(record, "2020年，共收到政府信息公开申请12件。")
    assert [(f.rule, f.stated, f.computed, f.status) for f in broken] == [("prose_vs_table", 12, 8, "fail")]
    assert broken[0].evidence and broken[0].evidence[0].slice("2020年，共收到政府信息公开申请12件。") == "12"


def test_prose_count_against_a_blank_cell_is_not_checkable():
    record = applications({**GOOD, "new_received": None})
    record.applications["carried_over"].total = None  # type: ignore[index]
    record.applications["total"].total = None  # type: ignore[index]
    for row in ("new_received", "carried_over", "total"):
        record.applications[row].natural_person = None  # type: ignore[index]
    findings = checks.check_prose_vs_table(record, "共收到政府信息公开申请12件。")
    assert [f.status for f in findings] == ["not_checkable"]


def test_blank_total_column_falls_back_to_the_applicant_cells():
    record = applications(GOOD)
    record.applications["granted"].total = None  # type: ignore[index]
    record.applications["granted"].commercial = None  # type: ignore[index]
    # the given cells already make 5 + 1 = 6 > 4: the prose cannot be right
    broken = checks.check_prose_vs_table(record, "予以公开及部分公开4件。")
    assert [(f.stated, f.computed) for f in broken] == [(4, 6)]
    # 6 or more could still be right
    assert checks.failures(checks.check_prose_vs_table(record, "予以公开及部分公开7件。")) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "2024年，区政府办代表区政府受理政府信息公开申请17件。",  # another body's count
        "2019年共受理政府信息公开申请17件。",  # another year
        "各乡镇受理政府信息公开申请17件。",  # a subset
        "全年受理政府信息公开申请近17件。",  # approximate
    ],
)
def test_prose_that_describes_something_else_is_skipped(sentence):
    record = applications({**GOOD, "new_received": 10, "total": 10, "carried_over": 2, "carried_forward": 2})
    assert checks.check_prose_vs_table(record, sentence) == []


def test_filing_counts_are_not_table_four():
    record = Record(meta=Meta(year=2024), review_litigation={
        "review": CaseOutcomes(upheld=100, corrected=50, other=10, pending=10, total=170)})
    assert checks.check_prose_vs_table(record, "全年备案行政复议案件134件。") == []
    assert fails(checks.check_prose_vs_table(record, "全年办理行政复议案件134件。"), "prose_vs_table")


def test_denial_of_disclosure_cases_states_zero_and_masks_general_caseload():
    record = Record(meta=Meta(year=2018, layout="pre2019"), pre2019=Pre2019(
        review=Pre2019Cases(total=1), litigation=Pre2019Cases(total=5)))
    text = "2018年，共受理行政复议1起，行政诉讼5起，没有因政府信息公开而被提起的行政复议或行政诉讼。"
    broken = checks.check_prose_vs_table(record, text)
    assert sorted((f.stated, f.computed) for f in broken) == [(0, 1), (0, 5)]
    consistent = Record(meta=Meta(year=2014, layout="pre2019"), pre2019=Pre2019(
        review=Pre2019Cases(total=0), litigation=Pre2019Cases(total=0)))
    assert checks.check_prose_vs_table(consistent, text.replace("2018", "2014")) == []


def test_pre2019_prose_against_its_statistics_table_rows():
    record = Record(meta=Meta(year=2018, layout="pre2019"), pre2019=Pre2019(proactive_items=1683))
    text = ("2018年主动公开政府信息1683条，发布政策解读16条。\n统计指标\n单位\n统计数\n"
            "（一）主动公开政府信息数\n条\n1683\n3.政策解读稿件发布数\n篇\n50\n")
    broken = checks.check_prose_vs_table(record, text)
    assert [(f.stated, f.computed) for f in broken] == [(16, 50)]


def test_prose_rule_without_text_is_not_checkable():
    assert [f.status for f in checks.check_prose_vs_table(applications(GOOD), None)] == ["not_checkable"]


# ------------------------------------------------------------------ grounding
def test_grounding():
    text = "本年新收申请 21 件，上年结转 0 件。"
    record = applications({**GOOD, "new_received": 21})
    at = text.index("21")
    ok = {"applications.new_received.total": Evidence(value=21, span=Span(start=at, end=at + 2))}
    findings = checks.check_grounding(record, text, ok)
    assert fails(findings, "grounding") == []
    assert unchecked(findings, "grounding")  # the other values have no span
    far = "x" * 100 + text
    bad = {"applications.new_received.total": Evidence(value=21, span=Span(start=0, end=5), engine="llm")}
    broken = fails(checks.check_grounding(record, far, bad), "grounding")
    assert [(f.paths, f.stated) for f in broken] == [(["applications.new_received.total"], 21)]
    assert [f.status for f in checks.check_grounding(record, text, None)] == ["not_checkable"]


def test_grounding_ignores_thousands_separators_and_full_width_digits():
    assert grounding.is_grounded(3119, "受理申请３，１１９件")
    assert grounding.is_grounded(739.0766, "收费739.0766万元")
    assert grounding.is_grounded(0, "全年未收到申请", row="未收到申请")  # 无/未 in the cell's own row
    assert not grounding.is_grounded(0, "未收到申请")  # …not merely near it (issue 14: a zero needs its own evidence)
    assert not grounding.is_grounded(0, "收到申请20件", row="20")  # no 0 inside 20
    assert not grounding.is_grounded(12, "收到申请2件")
    assert not grounding.is_grounded(8283, "共88283件")


# ------------------------------------------------------------------ empty tables
SECTION_TEXT = (
    "一、总体情况\n本年度工作有序开展。\n"
    "三、收到和处理政府信息公开申请情况\n本年新收申请 21 件\n1.属于国家秘密\n"
    "四、政府信息公开行政复议、行政诉讼情况\n2020年无。\n"
)


def test_empty_table_with_numbers_in_its_section_is_a_warning():
    record = applications({k: 0 for k in GOOD})
    findings = checks.check_empty_tables(record, SECTION_TEXT)
    assert [(f.rule, f.severity, f.computed) for f in findings] == [("empty_table", "warning", 21)]
    # list numbering (1.) and years (2020年) are not data
    quiet = SECTION_TEXT.replace("本年新收申请 21 件", "本年新收申请 0 件")
    assert checks.check_empty_tables(record, quiet) == []
    assert checks.check_empty_tables(applications(GOOD), SECTION_TEXT) == []
    assert [f.status for f in checks.check_empty_tables(record, None)] == ["not_checkable"]


# ------------------------------------------------------------------ across years
def test_cross_year_carry_over():
    prev = applications({**GOOD, "carried_forward": 2})
    prev.meta.year = 2019
    cur = applications({**GOOD, "carried_over": 2})
    assert checks.cross_year(prev, cur) == []
    cur.applications["carried_over"].total = 3  # type: ignore[index]
    assert [(f.rule, f.stated, f.computed) for f in checks.cross_year(prev, cur)] == [("cross_year", 3, 2)]
    cur.applications["carried_over"].natural_person = None  # type: ignore[index]
    assert [f.status for f in checks.cross_year(prev, cur)] == ["fail"]
    assert [f.status for f in checks.cross_year(prev, cur, include_not_checkable=True)] == ["not_checkable", "fail"]
    far = prev.model_copy(deep=True)
    far.meta.year = 2015
    assert checks.cross_year(far, cur) == []
    assert [f.status for f in checks.cross_year(far, cur, include_not_checkable=True)] == ["not_checkable"]


def test_cross_year_stock_of_normative_documents_layout_2021():
    prev = Record(meta=Meta(year=2022, layout="2021"),
                  active_disclosure={"normative_documents": {"issued": 5, "repealed": 1, "in_force": 26}})
    cur = Record(meta=Meta(year=2023, layout="2021"),
                 active_disclosure={"normative_documents": {"issued": 1, "repealed": 1, "in_force": 26}})
    assert checks.cross_year(prev, cur) == []
    cur.active_disclosure["normative_documents"]["in_force"] = 53  # type: ignore[index]
    assert [(f.stated, f.computed) for f in checks.cross_year(prev, cur)] == [(53, 26)]
    cur.active_disclosure["normative_documents"]["repealed"] = None  # type: ignore[index]
    assert checks.cross_year(prev, cur) == []
    assert [f.status for f in checks.cross_year(prev, cur, include_not_checkable=True)] == ["not_checkable"]


def test_check_lists_failures_and_not_checkable_on_request():
    record = applications({**GOOD, "carried_over": None, "granted": 6})
    default = checks.check(record)
    assert default and all(f.status == "fail" for f in default)
    everything = checks.check(record, include_not_checkable=True)
    assert {f.status for f in everything} == {"fail", "not_checkable"}


# ------------------------------------------------------------------ the gold set
def _key(rule: str, stated, computed) -> tuple[str, float | None, float | None]:  # noqa: ANN001
    return rule, None if stated is None else round(float(stated), 2), None if computed is None else round(float(computed), 2)


@lru_cache(maxsize=None)
def _gold_result(report_id: str) -> tuple[list, list]:
    from extractor.loading import load

    record = evalset.gold_record(report_id)
    text = load(evalset.report_path(report_id)).text
    got = sorted(_key(f.rule, f.stated, f.computed) for f in checks.check(record, text))
    gold = sorted(_key(s.rule, s.stated, s.computed) for s in record.source_inconsistencies or [] if s.rule != "cross_year")
    return got, gold


@pytest.mark.evalset
@pytest.mark.parametrize("report_id", evalset.IDS)
def test_gold_record_reports_exactly_its_source_inconsistencies(report_id):
    got, gold = _gold_result(report_id)
    assert got == gold


@pytest.mark.evalset
def test_gold_set_precision_and_recall(capsys):
    tp = fp = fn = 0
    for report_id in evalset.IDS:
        got, gold = _gold_result(report_id)
        remaining = list(gold)
        for g in got:
            if g in remaining:
                remaining.remove(g)
                tp += 1
            else:
                fp += 1
        fn += len(remaining)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    with capsys.disabled():
        print(f"\ncheck on {len(evalset.IDS)} gold records: {tp} found, {fp} extra, {fn} missed; "
              f"precision {precision:.0%}, recall {recall:.0%}")
    assert (precision, recall) == (1.0, 1.0)


# ------------------------------------------------------------------ CLI
def _cli(args: list[str]):  # noqa: ANN202
    from extractor.cli import check  # noqa: F401  (registers `check` only: the other commands import heavy model clients)
    from extractor.cli.app import app

    return CliRunner().invoke(app, args)


def test_cli_check_gold_file_json_and_exit_code():
    result = _cli(["check", str(evalset.gold_path("pingtan-zone-2020")), "--json"])
    assert result.exit_code == 5
    data = json.loads(result.stdout)
    assert sorted((f["rule"], f["stated"], f["computed"]) for f in data) == [
        ("claim_sum", 2602, 2603), ("outcome_sum", 20, 26), ("outcome_sum", 21, 27)]
    everything = json.loads(_cli(["check", str(evalset.gold_path("pingtan-zone-2020")), "--json", "--all"]).stdout)
    assert len(everything) > len(data) and {f["status"] for f in everything} == {"fail", "not_checkable"}


def test_cli_check_clean_record_exits_zero_and_bad_json_is_bad_input(tmp_path):
    assert _cli(["check", str(evalset.gold_path("hebei-gxt-2021"))]).exit_code == 0
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    result = _cli(["check", str(bad)])
    assert result.exit_code != 0 and result.exit_code != 5


def test_cli_record_without_its_report_still_checks_tables(tmp_path):
    data = evalset.gold_json("huaian-hongze-2023")
    data["source"] = None
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = _cli(["check", str(path), "--json", "--all"])
    assert result.exit_code == 5
    found = json.loads(result.stdout)
    assert [(f["stated"], f["computed"]) for f in found if f["rule"] == "group_sum" and f["status"] == "fail"] == [(0, 11), (0, 5)]
    assert any(f["rule"] == "prose_vs_table" and f["status"] == "not_checkable" for f in found)


def test_hotline_cases_are_not_compared_with_table_three():
    record = applications(GOOD)
    text = "12345热线共受理群众诉求3790件,办结3786件,按时办结3590件。"
    assert [f for f in checks.check_prose_vs_table(record, text) if f.status == "fail"] == []


def test_all_zero_table_of_a_body_with_no_applications_is_not_a_finding():
    record = applications({k: 0 for k in GOOD})
    text = (
        "一、总体情况\n本年度工作有序开展。\n二、主动公开政府信息情况\n略。\n"
        "三、收到和处理政府信息公开申请情况\n本年度未收到政府信息公开申请。12345热线转办件35件,均已办结。\n"
        "四、政府信息公开行政复议、行政诉讼情况\n无。\n"
    )
    assert checks.check_empty_tables(record, text) == []
