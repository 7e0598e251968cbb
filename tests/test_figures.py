"""Figures in prose (spec "figures"): what is one, its name, unit and approx, and what is not one."""

import json
from pathlib import Path

import pytest

from extractor.evaluation.scoring import figures_match, names_overlap, score_figures
from extractor.figures import find_figures
from extractor.loading import load
from extractor.pipeline import extract_document
from extractor.record import Figure

EVAL = Path(__file__).resolve().parent.parent / "eval"


def _figs(text: str) -> list[tuple[str, float, str | None, bool]]:
    return [(f.figure.name, f.figure.value, f.figure.unit, f.figure.approx) for f in find_figures(text)]


def test_name_value_unit_approx() -> None:
    text = "权责事项共33项,其中行政确认1项。全年发布信息4.3万余篇,参学人员达600余人次,办结率100%。信用数据11073,比上年增加。"
    assert _figs(text) == [
        ("权责事项", 33, "项", False), ("行政确认", 1, "项", False), ("发布信息", 4.3, "万篇", True),
        ("参学人员", 600, "人次", True), ("办结率", 100, "%", False), ("信用数据", 11073, None, False),
    ]


def test_noun_after_the_measure_word_is_what_is_counted() -> None:
    text = "建立6500余家三级包联服务机制,编制了15项政务服务目录清单,检查95家商户的802台无线电发射设备。"
    assert [(n, v, u) for n, v, u, _ in _figs(text)] == [
        ("三级包联服务机制", 6500, "家"), ("政务服务目录清单", 15, "项"), ("商户", 95, "家"), ("无线电发射设备", 802, "台"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2023年1月1日至2023年12月31日,",  # dates
        "按照《实施方案》(冀法〔2016〕24号)要求,",  # document numbers
        "依据条例第20条,",  # law articles
        "联系电话:0517-87222589,邮 编 : 223100。",  # phone, postcode
        "拨打12345热线反映问题。",  # hotline name
        "1.加强组织领导。\n2.深化公开。",  # list markers
        "召开第15次常务会议,推进5G建设和“1+N”体系。",  # ordinals, names
        "详见附件6-3。\n-2-\n",  # attachment, page number
        "国庆70周年期间,完成廊坊5.18经贸洽谈会保障。",  # anniversaries, names
    ],
)
def test_not_figures(text: str) -> None:
    assert _figs(text) == []


def test_table_cells_are_not_figures() -> None:
    text = "一、主动公开情况\n信息内容\t本年制发件数\n规章\t0\n行政规范性文件\t5\n全年主动公开政府信息 1136 条。\n"
    assert _figs(text) == [("主动公开政府信息", 1136, "条", False)]


def test_matching_rule() -> None:
    assert names_overlap("参加考试", "全厅参加考试人数")
    assert names_overlap("视频号发布短视频", "号共制作并发布短视频")
    assert not names_overlap("商户", "检查")
    gold = Figure(name="权责事项", value=33, unit="项")
    assert figures_match(gold, Figure(name="权责事项共", value=33, unit="项"))
    assert not figures_match(gold, Figure(name="权责事项", value=33, unit=None))
    counts = score_figures([gold, gold], [Figure(name="权责事项", value=33, unit="项")])
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 1)


@pytest.mark.evalset
def test_reader_figures_on_every_labelled_eval_report() -> None:
    """Precision and recall of the reader's figures over every gold file that labels figures (spec rule)."""
    tp = fp = fn = 0
    labelled = 0
    for gold_path in sorted((EVAL / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("figures") is None:
            continue
        labelled += 1
        doc = load(EVAL / "reports" / gold["source"])
        extraction = extract_document(doc)
        got = extraction.record.figures or []
        counts = score_figures([Figure(**f) for f in gold["figures"]], got)
        tp, fp, fn = tp + counts.tp, fp + counts.fp, fn + counts.fn
        for i, figure in enumerate(got):  # every figure has its evidence: the printed number and unit
            span = extraction.evidence[f"figures.{i}"].span
            assert span is not None and str(figure.value).split(".")[0] in span.slice(doc.text).replace(",", "")
    assert labelled >= 9
    assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.9, (tp, fp, fn)


def test_units_with_classifiers_multipliers_and_qualifiers() -> None:
    text = (
        "全市规模以上工业企业达到1200家。政务服务事项分为7大类,平均办理时限压缩至3个工作日。网站年访问量达2.5万人次,"
        "群众满意度94.87%,评估得分92.5分。市政府门户网站和政务微博分别发布信息420条。全年减税降费约2.3亿元左右。"
    )
    assert [(n, v, u, a) for n, v, u, a in _figs(text)] == [
        ("规模以上工业企业", 1200, "家", False), ("政务服务事项", 7, "大类", False), ("平均办理时限", 3, "个工作日", False),
        ("网站年访问量", 2.5, "万人次", False), ("群众满意度", 94.87, "%", False), ("评估得分", 92.5, "分", False),
        ("府门户网站和政务微博分别发布信息", 420, "条", False), ("减税降费", 2.3, "亿元", True),
    ]


@pytest.mark.evalset
def test_claims_are_relations_between_figures_on_every_eval_report() -> None:
    """Every number of every claim the reader finds is one of the record's figures."""
    for gold_path in sorted((EVAL / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        record = extract_document(load(EVAL / "reports" / gold["source"])).record
        values = {f.value for f in record.figures or []}
        for claim in record.claims:
            numbers = [claim.total.value] if claim.total else []
            numbers += [p.value for p in claim.parts] + ([claim.rate.percent] if claim.rate else [])
            missing = [n for n in numbers if n not in values]
            assert not missing, (gold["id"], missing, claim)


def test_address_list_marker_and_name_digits_are_not_figures() -> None:
    assert _figs("联系地址:管委会大楼主楼14层;(二)主要做法1.加强组织领导,通过家园985后台回复。") == []
