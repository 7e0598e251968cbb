"""Meta detection: every eval report against gold, and each rule on small realistic texts.

Run as a script to print the per-field figures:
    python tests/test_meta.py      ->  meta: agency 42/42 · year 42/42 · …
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evalset import IDS, MANIFEST, gold_record, report_path
from extractor.document import Document
from extractor.loading import load
from extractor.meta import (
    detect_agency,
    detect_kind,
    detect_layout,
    detect_meta,
    detect_published,
    detect_year,
)
from extractor.record import Meta
from extractor.sections import split_sections

FIELDS = ("agency", "year", "kind", "layout", "published")


def gold_meta(report_id: str) -> Meta:
    return gold_record(report_id).meta


def meta_of(path: Path) -> Meta:
    doc = load(path)
    return detect_meta(doc, split_sections(doc.text))


def doc_of(text: str) -> Document:
    return Document(format="txt", sha256="0" * 64, source=text, text=text, offsets=list(range(len(text) + 1)))


# ------------------------------------------------------------------ the eval set
@pytest.mark.evalset
@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_eval_report_meta_matches_gold(entry: dict) -> None:
    got = meta_of(report_path(entry))
    want = gold_meta(entry["id"])
    assert {f: getattr(got, f) for f in FIELDS} == {f: getattr(want, f) for f in FIELDS}


# ------------------------------------------------------------------ layout
TABLE2_2019 = "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t0\t0\t0\n"
TABLE2_2021 = "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n"
SIX_HEADINGS = (
    "一、总体情况\n概况。\n{table2}三、收到和处理政府信息公开申请情况\n{table3}四、政府信息公开行政复议、行政诉讼情况\n无。\n"
    "五、存在的主要问题及改进情况\n不足。\n六、其他需要报告的事项\n无。\n"
)


def six(table2: str = "", table3: str = "") -> str:
    return "本报告所列数据统计期限为2021年1月1日至2021年12月31日。\n" + SIX_HEADINGS.format(table2=table2, table3=table3)


def test_layout_is_decided_by_the_printed_columns_not_the_year() -> None:
    text = six(TABLE2_2019)  # a 2021 report printed on the 2019 form
    assert detect_year(text) == 2021
    assert detect_layout(text, split_sections(text), 2021) == "2019"
    text = six(TABLE2_2021)
    assert detect_layout(text, split_sections(text), 2021) == "2021"


def test_layout_survives_headers_broken_over_lines() -> None:
    text = six("二、主动公开政府信息情况\n信息内容\n本年新\n制作数量\n本年新\n公开数量\n")
    assert detect_layout(text, split_sections(text), 2019) == "2019"


def test_layout_from_split_row_six_when_table_two_is_missing() -> None:
    text = six("", "(六)其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\n")
    assert detect_layout(text, split_sections(text), 2022) == "2021"


def test_layout_without_any_table_falls_back_to_the_structure_and_year() -> None:
    text = six()
    sections = split_sections(text)
    assert detect_layout(text, sections, 2022) == "2021"
    assert detect_layout(text, sections, 2020) == "2019"


def test_pre2019_layouts() -> None:
    prose = "一、概述\n概况。\n二、主动公开政府信息情况\n主动公开信息1635条。\n三、依申请公开政府信息情况\n收到申请3件。\n"
    assert detect_layout(prose, split_sections(prose), 2014) == "pre2019"
    stats = prose + "政府信息公开情况统计表\n统计指标\t单位\t统计数\n一、主动公开情况\n(一)主动公开政府信息数\t条\t1683\n"
    assert detect_layout(stats, split_sections(stats), 2018) == "pre2019"


# ------------------------------------------------------------------ kind
def test_work_summary_only_when_titled_as_one() -> None:
    summary = (
        "某县2023年政务公开工作落实情况\n1.加强组织领导。成立领导小组。\n2.深化主动公开。全年主动公开政府信息1856条。\n"
        "3.规范依申请公开。全年收到申请25件。\n"
    )
    meta = detect_meta(doc_of(summary), split_sections(summary))
    assert (meta.kind, meta.layout, meta.year) == ("work_summary", None, 2023)
    report = "本报告由某县人民政府办公室编制。\n一、概述\n对各项工作落实情况进行专题督导。\n二、主动公开政府信息情况\n公开100条。\n"
    assert detect_kind(report, split_sections(report)) == "annual_report"
    titled_report = "某县2023年政府信息公开工作年度报告(政务公开工作落实情况)\n" + report
    assert detect_kind(titled_report, split_sections(titled_report)) == "annual_report"


# ------------------------------------------------------------------ year
def test_year_is_the_statistics_period_not_the_publication_year() -> None:
    text = "本年度报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止。\n一、概述\n2017年将继续推进。\n河北省某厅\n2017年2月3日"
    assert detect_year(text) == 2016


def test_year_from_title_then_majority() -> None:
    assert detect_year("现将2017年政府信息公开工作报告如下:2016年共受理复议3起。") == 2017
    assert detect_year("2018年,省人社厅推进公开。2018年受理申请98件。2019年1月30日") == 2018
    assert detect_year("没有年份。") is None


# ------------------------------------------------------------------ published
def test_published_is_the_printed_date_at_the_end() -> None:
    text = "统计期限为2015年1月1日至2015年12月31日。\n一、概述\n2015年工作。\n\n河北省科学技术厅\n2016年2月29日"
    assert detect_published(text, 2015) == "2016-02-29"


def test_published_in_chinese_numerals_beats_the_page_header() -> None:
    text = (
        "标题: 某县2011年政府信息公开工作年度报告\n发布时间: 2012-04-18 00:00\n"
        "一、概述 工作。 四、存在的主要问题及改进情况 不足。 二○一二年二月二十日 附件1:某县2011年政府信息公开情况统计表"
    )
    assert detect_published(text, 2011) == "2012-02-20"


def test_published_from_the_page_header_when_the_body_prints_none() -> None:
    text = "某区2023年度政府信息公开工作年度报告\n来源:某区管委会办公室 时间:2024-03-08 15:34\n一、总体情况\n2023年工作。"
    assert detect_published(text, 2023) == "2024-03-08"


def test_no_published_date_when_none_is_printed() -> None:
    text = "报告中所列数据统计期限为2023年1月1日至12月31日。\n一、总体情况\n2023年1月5日召开会议,部署工作。\n六、其他需要报告的事项\n无。"
    assert detect_published(text, 2023) is None


# ------------------------------------------------------------------ agency
@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("现发布《河北省工业和信息化厅2016年度政府信息公开工作报告》。本报告由四部分组成。", "河北省工业和信息化厅"),
        ("淮安市人民政府\n2024 年政府信息公开工作年度报告\n本报告由淮安市人民政府办公室编制。", "淮安市人民政府"),
        ("正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据《条例》要求,市科委编制了本报告。", "上海市科委"),
        ("标题: 某某综合实验区2013年政府信息公开工作年度报告\n如有疑问请与某某综合实验区管委会办公室联系。", "某某综合实验区管委会"),
        ("某某县2012年政府信息公开工作年度报告\n全县推进政务公开。", "某某县人民政府"),
        ("本报告由河北省教育厅编制。一、概述\n工作。\n\n河北省教育厅\n2015年3月23日", "河北省教育厅"),
        ("一、工作情况 2017年省人力资源社会保障厅贯彻《河北省人民政府办公厅印发…》,省人力资源社会保障厅始终…", "河北省人力资源和社会保障厅"),
        ("一、总体情况 2023年,省工业和信息化厅坚持公开。依据《河北省政府信息公开申请办理规范》办理。", "河北省工业和信息化厅"),
        ("关于某某县2023年政府信息公开工作年度报告的公告\n全县推进政务公开。", "某某县人民政府"),
        ("一、总体情况\n本年度工作平稳。", None),
    ],
)
def test_agency(text: str, agency: str | None) -> None:
    assert detect_agency(text) == agency


def main() -> None:
    """Print per-field accuracy of meta detection over the eval set."""
    right = dict.fromkeys(FIELDS, 0)
    for entry in MANIFEST:
        got = meta_of(report_path(entry))
        want = gold_meta(entry["id"])
        for field in FIELDS:
            if getattr(got, field) == getattr(want, field):
                right[field] += 1
            else:
                print(f"  {entry['id']}: {field} got {getattr(got, field)!r} want {getattr(want, field)!r}")
    print("meta: " + " · ".join(f"{f} {right[f]}/{len(MANIFEST)}" for f in FIELDS))


if __name__ == "__main__":
    main()
