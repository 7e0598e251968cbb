"""Part-whole and rate statements: each common phrasing, and recall/precision over the whole eval set."""

from __future__ import annotations

import pytest

import evalset
from extractor.claims import FoundClaim, find_claims
from extractor.evaluation.models import ClaimScore
from extractor.evaluation.scoring import score_claims
from extractor.loading import load
from extractor.record import Claim

MIN_RECALL = 0.8
MIN_PRECISION = 0.8


def totals(found: list[FoundClaim]) -> list[tuple[object, list[object], bool]]:
    return [(f.claim.total.value, [p.value for p in f.claim.parts], f.claim.complete) for f in found if f.claim.total]


def rates(found: list[FoundClaim]) -> list[tuple[object, object, object]]:
    return [(f.claim.rate.percent, f.claim.rate.numerator, f.claim.rate.denominator) for f in found if f.claim.rate]


def test_total_with_qizhong_parts() -> None:
    text = "权责事项共33项,其中行政确认1项,其他行政权力2项,其他权责事项30项。"
    found = find_claims(text)
    assert totals(found) == [(33, [1, 2, 30], True)]
    claim = found[0].claim
    assert claim.total is not None and claim.total.unit == "项" and claim.total.name == "权责事项"
    assert [p.name for p in claim.parts] == ["行政确认", "其他行政权力", "其他权责事项"]
    assert found[0].span.slice(text) == "33项,其中行政确认1项,其他行政权力2项,其他权责事项30项"


def test_a_selection_is_not_complete() -> None:
    etc = "全年通过门户网站发布各类政务信息4464条,其中,我厅制发的规范性文件1件、政策类文件8件、各类业务性文件283件等。"
    assert totals(find_claims(etc)) == [(4464, [1, 8, 283], False)]
    few = "2013年我厅主动公开信息总数共计293条,其中规范性文件公开28条,公告公示公开27条,财政财务公开2条。"
    assert totals(find_claims(few)) == [(293, [28, 27, 2], False)]
    # a wrong sum that covers most of the total is still a complete statement (the checker flags it)
    near = "新增信息323条,其中领导成员信息2条,规章与文件信息10条,规划总结信息4条,工作动态信息310条,财政信息3条。"
    assert totals(find_claims(near)) == [(323, [2, 10, 4, 310, 3], True)]


def test_shares_running_over_a_full_stop() -> None:
    text = "2013年主动公开政府信息4970条。其中,区直、县直各单位主动公开政府信息3933条,占79%。各乡镇主动公开政府信息1037条,占21%。"
    found = find_claims(text)
    assert totals(found) == [(4970, [3933, 1037], True)]
    assert rates(found) == [(79, 3933, 4970), (21, 1037, 4970)]


def test_categories_of_a_total_under_main_categories() -> None:
    text = (
        "(二)主动公开政府信息的主要类别2011年,在网站主动公开的425条政府信息中,机构职能、主要职能、办事程序信息148条,"
        "占34.8%;政策、规范性文件类信息21条,占4.9%;安全生产、应急管理类信息63条,占14.8%。"
    )
    found = find_claims(text)
    assert totals(found) == [(425, [148, 21, 63], False)]
    assert rates(found) == [(34.8, 148, 425), (4.9, 21, 425), (14.8, 63, 425)]
    assert found[0].claim.parts[0].name == "机构职能、主要职能、办事程序信息"


def test_shares_without_a_stated_total_take_the_count_they_fit() -> None:
    text = "全年收到政府信息公开申请共44件,当年办结44件。从申请方式看,网络申请39件,占88.6%,信函申请5件,占11.4%。"
    found = find_claims(text)
    assert rates(found) == [(88.6, 39, 44), (11.4, 5, 44)]
    assert (44, [39, 5], True) in totals(found)


def test_percent_in_brackets() -> None:
    text = "办结1191件,均在法定期限内答复。其中,予以公开208件(17.46%),不予公开20件(1.68%),其他处理963件(80.86%,含主动撤回157件)。"
    found = find_claims(text)
    assert totals(found) == [(1191, [208, 20, 963], True)]
    assert rates(found) == [(17.46, 208, 1191), (1.68, 20, 1191), (80.86, 963, 1191)]


def test_completion_rates() -> None:
    assert rates(find_claims("2023年收到政府信息公开申请17件,办结率100%,无行政复议。")) == [(100, 17, 17)]
    assert rates(find_claims("今年我局共受理审批事项117件,办结171件,办结率100%。")) == [(100, 171, 117)]
    # a rate with no count behind it is not a claim
    assert find_claims("行政审批全部实现网上受理审核审结,按时办结率100%。城镇登记失业率3.3%。") == []


def test_parts_adding_up_without_qizhong() -> None:
    text = "2017年,我厅网站主动公开政府信息累计947条,工作动态602条,领导活动110条,通知文告170条,行政执法50条,统计信息13条,财政财务2条。"
    assert totals(find_claims(text)) == [(947, [602, 110, 170, 50, 13, 2], True)]
    # counts that do not add up are just counts
    assert find_claims("参加新闻发布会3次,共发布微博信息377条,移交资料153件。") == []


def test_two_statements_in_one_sentence() -> None:
    text = (
        "政府信息公开行政复议351件,其中结果维持72件,结果纠正64件,其他结果178件,尚未审结37件;"
        "政府信息公开行政诉讼46件,其中结果维持25件,结果纠正5件,其他结果9件,尚未审结7件。"
    )
    assert totals(find_claims(text)) == [(351, [72, 64, 178, 37], True), (46, [25, 5, 9, 7], True)]
    both = "共受理政府信息公开申请749件,其中自然人申请741件,法人或其他组织申请8件;共办理718件,结转下一年31件。"
    assert totals(find_claims(both)) == [(749, [741, 8], True), (749, [718, 31], True)]


def test_nested_breakdown_in_brackets() -> None:
    text = "今年共发布380条财政资金信息,其中专项资金152条,预决算公开197条(政府预决算32条、部门预决算公开165条)、“三公”经费27条、债券发行4条。"
    assert sorted(totals(find_claims(text))) == [(197, [32, 165], True), (380, [152, 197, 27, 4], True)]


def test_units_of_another_kind_are_not_parts() -> None:
    assert find_claims("2017年共发布信息1669条,其中政府网站公开政府信息数774条,发布了43期《教育信息快报》。") == []
    text = "其中办理减免税共计91件,减免金额219062.78元;个人住房减免税共计7件,减免金额21470.27元;遗产继承减免税19件。"
    assert totals(find_claims("共受理审批事项117件。" + text)) == [(117, [91, 7, 19], True)]


def test_a_count_left_without_its_unit() -> None:
    text = "2011年制作、获取政府信息总数1873条,其中主动公开政府信息425条,作为依申请公开信息数46条,不予公开信息数1402。"
    assert totals(find_claims(text)) == [(1873, [425, 46, 1402], True)]


def test_no_claims_in_plain_text_or_tables() -> None:
    assert find_claims("本报告由概述、主动公开政府信息情况等部分组成。") == []
    assert find_claims("一、本年新收政府信息公开申请数量\t23\t0\t0\t0\t0\t0\t23\n") == []


# ------------------------------------------------------------------ eval set
@pytest.fixture(scope="module")
def eval_scores() -> dict[str, ClaimScore]:
    scores = {}
    for entry in evalset.MANIFEST:
        text = load(evalset.report_path(entry)).text
        gold = evalset.gold_record(entry["id"])
        found: list[Claim] = [f.claim for f in find_claims(text)]
        scores[entry["id"]] = score_claims(gold.claims, found)[1]
    return scores


@pytest.mark.evalset
def test_claims_recall_and_precision_over_every_eval_report(eval_scores: dict[str, ClaimScore]) -> None:
    """A claim counts as found when every number in it (total, parts, percent, numerator, denominator) is right."""
    assert set(eval_scores) == set(evalset.IDS)
    gold = sum(s.gold for s in eval_scores.values())
    predicted = sum(s.predicted for s in eval_scores.values())
    correct = sum(s.correct for s in eval_scores.values())
    misses = {rid: f"{s.correct}/{s.gold} of {s.predicted}" for rid, s in eval_scores.items() if s.correct < max(s.gold, s.predicted)}
    assert correct / gold >= MIN_RECALL, f"recall {correct}/{gold}; reports with misses: {misses}"
    assert correct / predicted >= MIN_PRECISION, f"precision {correct}/{predicted}; reports: {misses}"


# ------------------------------------------------------------------ work-summary phrasings (issue 13)
def _claims_of(text: str) -> list[dict]:
    from extractor.claims import find_claims

    return [f.claim.model_dump() for f in find_claims(text)]


def test_total_after_its_parts() -> None:
    (claim,) = _claims_of("全年制定规范性文件12项,修订8项,废止5项,共25项。")
    assert claim["total"]["value"] == 25 and [p["value"] for p in claim["parts"]] == [12, 8, 5]


def test_total_without_unit_before_parts_with_units_is_kept_even_when_parts_do_not_add_up() -> None:
    (claim,) = _claims_of("省信用平台共收录11073,行政许可数据10200条,行政处罚数据874条。")
    assert claim["total"] == {"name": "省信用平台", "value": 11073, "unit": None}
    assert [p["value"] for p in claim["parts"]] == [10200, 874]  # 11074: the checker flags claim_sum


def test_share_of_the_named_whole_and_rate_over_a_count_done_in_full() -> None:
    claims = _claims_of(
        "对47项行政权力逐条分析,提出取消22项行政权力,占全部行政权力的46%。13项行政服务全部实现网上办理,上网办理率达到100%。"
    )
    rates = [(c["rate"]["percent"], c["rate"]["numerator"], c["rate"]["denominator"]) for c in claims if c["rate"]]
    assert rates == [(46, 22, 47), (100, 13, 13)]


def test_no_rate_over_items_of_two_kinds() -> None:
    assert _claims_of("网民有效留言30件、微信公众号留言127条,办结率100%。") == []
