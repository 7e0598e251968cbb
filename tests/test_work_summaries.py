"""Free-form work summaries (spec "meta.kind", "Headings"): kind, outline, agency, no table keys."""

import json
from pathlib import Path

import pytest

from extractor.loading import load, load_bytes
from extractor.meta import is_body_name
from extractor.pipeline import extract_document
from extractor.sections import split_sections

EVAL = Path(__file__).resolve().parent.parent / "eval"

# Written for these tests: other bodies, numbering styles and title forms than the eval set's.
SUMMARIES = {
    "numbered": (
        "青州市生态环境局2023年政务公开工作总结\n\n2023年,我局认真贯彻落实《中华人民共和国政府信息公开条例》和"
        "国办公开办函〔2019〕60号文件精神,扎实推进政务公开工作。现将有关情况报告如下:\n"
        "1.政府工作做到公开透明。全年主动公开政府信息1268条,其中政策文件45件,工作动态932条,其他信息291条。\n"
        "2.加强政策解读,回应社会关切。开展解读23次,召开新闻发布会4场。\n"
        "3.规范依申请公开办理。全年收到政府信息公开申请8件,均按期答复。\n\n青州市生态环境局\n2024年1月10日\n",
        "青州市生态环境局",
        ["1.政府工作做到公开透明", "2.加强政策解读,回应社会关切", "3.规范依申请公开办理"],
    ),
    "flattened": (
        "关于2022年度法治政府建设情况的报告\n　　2022年,县市场监督管理局深入学习贯彻习近平法治思想,现将我局法治政府建设"
        "情况报告如下:　　一、强化组织领导,健全工作机制　　局党组召开专题会议6次。　　二、推进严格规范公正文明执法"
        "　　全年办理行政处罚案件215件。　　三、存在的问题和下一步打算在肯定成绩的同时,我们也看到不足。\n"
        "　　乐陵县市场监督管理局　　2023年2月15日\n",
        "乐陵县市场监督管理局",
        ["一、强化组织领导,健全工作机制", "二、推进严格规范公正文明执法", "三、存在的问题和下一步打算"],
    ),
}


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_written_summaries(name: str) -> None:
    text, agency, headings = SUMMARIES[name]
    doc = load_bytes(text.encode("utf-8"), f"{name}.txt")
    out = extract_document(doc).to_json_dict()
    assert (out["meta"]["kind"], out["meta"]["layout"], out["meta"]["agency"]) == ("work_summary", None, agency)
    assert out["sections"] == headings
    assert not any(k in out for k in ("pre2019", "applications", "active_disclosure", "review_litigation"))
    assert out["figures"] and all(f"figures.{i}" in out["evidence"] for i in range(len(out["figures"])))


@pytest.mark.evalset
def test_extract_and_sections_agree_and_meta_is_right_on_every_eval_report() -> None:
    for gold_path in sorted((EVAL / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = load(EVAL / "reports" / gold["source"])
        record = extract_document(doc).record
        assert record.sections == [s.heading for s in split_sections(doc.text)], gold["id"]
        assert (record.meta.kind, record.meta.layout) == (gold["meta"]["kind"], gold["meta"]["layout"]), gold["id"]
        assert record.meta.agency is None or is_body_name(record.meta.agency), (gold["id"], record.meta.agency)
        if record.meta.kind == "work_summary":
            assert record.pre2019 is None and record.applications is None and record.active_disclosure is None


def test_agency_from_the_body_when_the_text_says_only_our_bureau() -> None:
    text = (
        "2023年,我局深入贯彻落实政务公开工作要求,现将我局工作情况报告如下:\n1.强化组织。局党组召开会议5次。"
        "经寿光市水利局党组研究,成立领导小组。\n2.深化公开。全年公开信息300条。\n"
    )
    out = extract_document(load_bytes(text.encode("utf-8"), "d.txt")).record
    assert out.meta.agency == "寿光市水利局"
    no_name = "2023年,现将我局政务公开工作情况报告如下:\n1.强化组织。召开会议5次。\n2.深化公开。全年公开信息300条。\n"
    assert extract_document(load_bytes(no_name.encode("utf-8"), "e.txt")).record.meta.agency is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a summary with disclosure-like sections, that says it published the annual report
        ("某市2021年政务公开工作要点落实情况\n一、主动公开情况\n全年按时发布2020年政府信息公开工作年度报告,主动公开信息300条。\n"
         "二、依申请公开情况\n收到申请5件。\n三、复议诉讼情况\n无。\n", "work_summary"),
        # an annual report with no title line: it calls itself 本报告 and has the template's sections
        ("本报告根据《条例》编制。\n一、总体情况\n略。\n二、主动公开政府信息情况\n略。\n三、收到和处理政府信息公开申请情况\n略。\n",
         "annual_report"),
        # a summary citing the notice in its opening
        ("按照国办公开办函〔2019〕60号《中华人民共和国政府信息公开工作年度报告格式》要求,现将我局法治政府建设情况汇报如下:"
         "一、强化组织领导\n召开会议3次。\n二、推进依法行政\n办理案件12件。\n", "work_summary"),
    ],
)
def test_kind_is_what_the_text_is(text: str, kind: str) -> None:
    from extractor.meta import detect_kind

    assert detect_kind(text, split_sections(text)) == kind
