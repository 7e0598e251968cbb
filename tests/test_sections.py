"""Section splitting: every eval report against gold, and each hard shape on small realistic texts.

Run as a script to print the overall figure:
    python tests/test_sections.py      ->  sections: 42/42 reports match gold
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from evalset import IDS, MANIFEST, gold_record, report_path
from extractor.loading import load
from extractor.sections import (
    Section,
    compact,
    find_role,
    heading_title,
    is_standard_heading,
    iter_sections,
    section_role,
    split_sections,
)



def headings(sections: list[Section]) -> list[str]:
    return [compact(unicodedata.normalize("NFKC", s.heading)) for s in sections]


def gold_headings(report_id: str) -> list[str]:
    return [compact(unicodedata.normalize("NFKC", h)) for h in gold_record(report_id).sections]


def check_spans(text: str, sections: list[Section], start: int = 0, end: int | None = None) -> None:
    """Spans lie inside the text (and the parent), in order, without overlap; headings are what is printed."""
    end = len(text) if end is None else end
    previous = start
    for s in sections:
        assert start <= s.span.start <= s.span.end <= end
        assert s.span.start >= previous
        assert s.heading_span.start == s.span.start <= s.heading_span.end <= s.span.end
        assert text[s.heading_span.start : s.heading_span.end] == s.heading
        previous = s.span.end
        check_spans(text, s.children, s.heading_span.end, s.span.end)


# ------------------------------------------------------------------ the eval set
@pytest.mark.evalset
@pytest.mark.parametrize("entry", MANIFEST, ids=IDS)
def test_eval_report_headings_match_gold(entry: dict) -> None:
    doc = load(report_path(entry))
    sections = split_sections(doc.text)
    assert headings(sections) == gold_headings(entry["id"])
    check_spans(doc.text, sections)


@pytest.mark.evalset
def test_same_report_as_page_text_and_html_gives_same_headings() -> None:
    pairs = [(m["id"].removesuffix("-html"), m) for m in MANIFEST if m["id"].endswith("-html")]
    assert pairs
    for plain_id, html in pairs:
        plain = split_sections(load(report_path(plain_id)).text)
        page = split_sections(load(report_path(html)).text)
        assert headings(plain) == headings(page), plain_id


# ------------------------------------------------------------------ shapes
LINES_2021 = """2023年某县人民政府政府信息公开工作年度报告
本报告全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等六部分。
一、总体情况
2023年,我县扎实推进政务公开。
(一)主动公开方面
全年主动公开政府信息1200条。
(二)依申请公开方面
全年收到申请12件。
二、主动公开政府信息情况
第二十条第(一)项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
三、收到和处理政府信息公开申请情况
\t申请人情况
一、本年新收政府信息公开申请数量\t10\t2\t0\t0\t0\t0\t12
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t(一)予以公开\t8\t2\t0\t0\t0\t0\t10
(七)总计\t10\t2\t0\t0\t0\t0\t12
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
四、政府信息公开行政复议、行政诉讼情况
行政复议\t行政诉讼
0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0
五、存在的主要问题及改进情况
一是公开深度不够。
六、其他需要报告的事项
无。
"""

SIX = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def test_headings_on_their_own_lines_skip_table_rows() -> None:
    sections = split_sections(LINES_2021)
    assert headings(sections) == SIX
    assert [s.role for s in sections] == [
        "overview", "active_disclosure", "applications", "review_litigation", "problems", "other",
    ]
    assert [c.heading for c in sections[0].children] == ["(一)主动公开方面", "(二)依申请公开方面"]
    assert sections[2].children == []  # (一)予以公开 is a table row, not a sub-section
    assert all(c.role is None for c in sections[0].children)  # roles name the six parts, not prose inside 总体情况
    check_spans(LINES_2021, sections)


def test_spans_run_to_the_next_sibling_and_the_body_end() -> None:
    sections = split_sections(LINES_2021)
    for a, b in zip(sections, sections[1:]):
        assert a.span.end == b.span.start
    assert LINES_2021[sections[-1].span.start : sections[-1].span.end].rstrip().endswith("无。")
    first = sections[0]
    assert first.children[-1].span.end == first.span.end


def test_flattened_one_line_body() -> None:
    text = (
        "根据《条例》要求编制本报告。本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。"
        "一、总体情况2019年,我区认真贯彻落实《条例》。(一)基本情况今年共公布政府信息2599条。"
        "二、主动公开政府信息情况 第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
        "政府集中采购13575394432.52元三、收到和处理政府信息公开申请情况(本列数据的勾稽关系为:第一项加第二项之和)"
        "申请人情况自然人一、本年新收政府信息公开申请数量230 000023二、上年结转政府信息公开申请数量0000000"
        "三、本年度办理结果(一)予以公开7000007(七)总计23 0 00 0 023四、结转下年度继续办理 0 0 00 00 0 "
        "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正000000000000000 "
        "五、存在的主要问题及改进情况2019年,我区政府信息公开工作取得了明显进展。六、其他需要报告的事项 无其他需要报告的事项"
    )
    sections = split_sections(text)
    assert headings(sections) == SIX
    check_spans(text, sections)


def test_headings_split_by_stray_spaces() -> None:
    text = (
        "一、 概述\n2012年全区推进政务公开。\n"
        "二、主动公开政府 信息情况\n全年公开信息739条。\n"
        "三、收到和处理政府信息公开申 请情况 2012年未收到申请。\n"
        "四、 存在的主要问题及改进情况\n人员不足。\n"
    )
    sections = split_sections(text)
    assert headings(sections) == [
        "一、概述", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、存在的主要问题及改进情况",
    ]
    assert sections[2].role == "applications"


def test_standard_heading_wrapped_over_two_lines_by_pdf_extraction() -> None:
    text = (
        "一、总体情况\n2024 年,我市坚持公开。\n二、主动公开政府信息情况\n信息内容\n三、收到和处理政府信息公开申请情况\n申请人情况\n"
        "四、因政府信息公开工作被申请行政复议、提起\n行政诉讼情况\n行政复议\n五、政府信息公开工作存在的主要问题及改\n进情况\n"
        "对照上级新要求。\n"
    )
    sections = split_sections(text)
    assert headings(sections) == SIX[:3] + [
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "五、政府信息公开工作存在的主要问题及改进情况",
    ]
    assert [s.role for s in sections[3:]] == ["review_litigation", "problems"]


def test_number_on_its_own_line() -> None:
    text = "前言。\n一、\n概述 \n推进政府信息公开工作。\n二、主动公开政府信息情况\n全年公开425条。\n"
    assert headings(split_sections(text)) == ["一、概述", "二、主动公开政府信息情况"]


def test_body_found_inside_site_chrome() -> None:
    text = (
        "首页 > 政务公开 > 政府信息公开年报\n网站导航 一站式服务 互动交流\n"
        "平潭综合实验区2013年政府信息公开工作年度报告\n来源:管委会办公室 时间:2014-01-10 00:00\n全真版\n文字版\n"
        "一、概述\n推进政府信息公开工作。\n二、主动公开政府信息情况\n全年公开4970条。\n"
        "三、存在的主要问题及改进情况\n仍存在不足,我们将改进。\n"
        "附件下载\n扫一扫在手机上查看当前页面\n上一篇:2012年报告\n下一篇:无\n版权所有:平潭综合实验区管委会 闽ICP备00000000号\n"
    )
    sections = split_sections(text)
    assert headings(sections) == ["一、概述", "二、主动公开政府信息情况", "三、存在的主要问题及改进情况"]
    last = text[sections[-1].span.start : sections[-1].span.end]
    assert last.endswith("我们将改进。")
    assert "附件下载" not in last


def test_table_of_contents_and_enumerations_are_not_headings() -> None:
    text = (
        "本报告包括一、总体情况;二、主动公开政府信息情况;三、收到和处理政府信息公开申请情况。"
        "全文包括总体情况、主动公开、依申请公开等部分,行政复议情况详见本报告第三、四部分。\n"
        "一、总体情况\n我县统一、规范发布信息,一、二季度共发布120条。\n"
        "二、主动公开政府信息情况\n全年公开信息。\n"
    )
    assert headings(split_sections(text)) == ["一、总体情况", "二、主动公开政府信息情况"]


def test_contents_page_of_a_pdf_is_not_the_outline() -> None:
    text = (
        "2023年某县政府信息公开工作年度报告\n目录\n一、总体情况......1\n二、主动公开政府信息情况......3\n"
        "三、收到和处理政府信息公开申请情况......4\n\n一、总体情况\n正文。\n二、主动公开政府信息情况\n正文。\n"
        "三、收到和处理政府信息公开申请情况\n正文。\n"
    )
    sections = split_sections(text)
    assert headings(sections) == SIX[:3]
    assert sections[0].span.start == text.index("\n\n一、") + 2


def test_pre2019_statistics_table_rows_are_not_sections() -> None:
    text = (
        "一、概述\n2018年工作概述。\n二、主动公开政府信息情况\n主动公开1683条。\n三、依申请公开政府信息情况\n收到申请1件。\n"
        "四、存在的主要问题及改进措施\n仍有不足。\n"
        "==== 政府信息公开情况统计表(2018年度) ====\n统计指标\n单位\n统计数\n"
        "一、主动公开情况\n\n(一)主动公开政府信息数\n条\n1683\n二、回应解读情况\n(一)回应公众关注热点或重大舆情数\n次\n4\n"
        "三、依申请公开情况\n(一)收到申请数\n件\n1\n四、行政复议数量\n件\n1\n"
    )
    sections = split_sections(text)
    assert headings(sections) == ["一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况", "四、存在的主要问题及改进措施"]
    assert [s.role for s in sections] == ["overview", "active_disclosure", "applications", "problems"]
    assert sections[-1].children == []  # (一)主动公开政府信息数 are statistics rows


def test_numbering_restart_and_a_lost_heading() -> None:
    text = (
        "一、总体情况\n概况。\n二、工作机制保障\n机制。\n三、政府信息管理\n管理。\n"
        "一、主动公开政府信息情况\n行政许可 97\n二、收到和处理政府信息公开申请情况\n申请人情况\n"
        "三、政府信息公开行政复议、行政诉讼情况\n行政复议\n(一)主要问题\n网站栏目不适应。\n"
        "五、其他需要报告的事项\n无。\n"
    )
    assert headings(split_sections(text)) == [
        "一、总体情况", "二、工作机制保障", "三、政府信息管理",
        "一、主动公开政府信息情况", "二、收到和处理政府信息公开申请情况", "三、政府信息公开行政复议、行政诉讼情况",
        "五、其他需要报告的事项",
    ]


def test_run_on_headings_of_a_one_line_work_report() -> None:
    text = (
        "现将我厅政务公开工作报告如下:一、围绕建设法治人社全面推进政务公开坚持以公开为常态、不公开为例外。一是做好决策公开。"
        "二、加大重点领域主动公开(一)推动就业,全省就业稳定。三、围绕社会关切加强政策解读回应2018年召开发布会6场。"
        "四、依法实施政府信息依申请公开在省政府网站建立依申请公开窗口,受理98件。"
        "五、全面深化“放管服”改革推进作风建设全面深化“放管服”改革,编制清单。"
        "六、落实制度要求加强政务公开工作领导落实加强政务公开各项要求,完善制度建设。"
    )
    assert headings(split_sections(text)) == [
        "一、围绕建设法治人社全面推进政务公开",
        "二、加大重点领域主动公开",
        "三、围绕社会关切加强政策解读回应",
        "四、依法实施政府信息依申请公开",
        "五、全面深化“放管服”改革推进作风建设",
        "六、落实制度要求加强政务公开工作领导",
    ]


def test_markdown_tables_and_markdown_headings() -> None:
    text = (
        "## 一、总体情况\n\n2025年,我县推进公开。\n\n## 二、收到和处理政府信息公开申请情况\n\n"
        "### 一、本年新收政府信息公开申请数量\n| 类别 | 数据1 |\n|---|---|\n| 三、 | (一)予以公开 | 9 |\n"
        "| 四、结转下年度继续办理 | 31 |\n\n## 三、政府信息公开行政复议、行政诉讼情况\n\n无。\n"
    )
    assert headings(split_sections(text)) == [
        "一、总体情况", "二、收到和处理政府信息公开申请情况", "三、政府信息公开行政复议、行政诉讼情况",
    ]


def test_pdf_debris_page_footers_and_a_lone_pipe() -> None:
    text = (
        "一、总体情况\n正文。\n二、主动公开政府信息情况\n-5-\n信息内容\n"
        "三、收到和处理政府信息公开申请情况\n— 7 —\n申请人情况\n四、结转下年度继续办理\t0\t0\n"
        "|四、政府信息公开行政复议、行政诉讼情况\n行政复议\n"
        "五、存在的主要问题及改进情况\n(一)2024 年工作中存在问题的改进情况\n已改进。\n(二)存在问题一是人手不足。\n"
    )
    sections = split_sections(text)
    assert headings(sections) == SIX[:5]
    assert [c.heading for c in sections[-1].children] == ["(一)2024 年工作中存在问题的改进情况", "(二)存在问题"]


WORK_SUMMARY = """某县2023年政务公开工作落实情况
1.加强组织领导。县政府成立政务公开工作领导小组,召开专题会议3次。
2.深化主动公开。全年主动公开政府信息1856条,其中政策文件125条、规划计划36条、财政信息210条。
3.规范依申请公开。全年收到政府信息公开申请25件,办结25件,办结率100%。
4.强化平台建设。政府网站发布信息3210条,政务新媒体发布信息1520条。
"""


def test_work_summary_numbered_paragraphs_stand_in_for_sections() -> None:
    sections = split_sections(WORK_SUMMARY)
    assert [s.heading for s in sections] == ["1.加强组织领导", "2.深化主动公开", "3.规范依申请公开", "4.强化平台建设"]
    assert [s.number for s in sections] == ["1", "2", "3", "4"]
    assert sections[1].role == "active_disclosure" and sections[2].role == "applications"
    check_spans(WORK_SUMMARY, sections)


def test_no_sections_in_plain_prose() -> None:
    assert split_sections("") == []
    assert split_sections("2023年,我局统一、规范发布信息,第一、二季度共发布信息120条。") == []


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("总体情况", "overview"),
        ("概述", "overview"),
        ("政府信息公开情况概述", "overview"),
        ("主动公开政府信息情况", "active_disclosure"),
        ("收到和处理政府信息公开申请情况", "applications"),
        ("依申请公开政府信息情况", "applications"),
        ("政府信息依申请公开工作情况", "applications"),
        ("因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review_litigation"),
        ("政府信息公开行政法复议、行政诉讼情况", "review_litigation"),
        ("行政复议和行政诉讼情况", "review_litigation"),
        ("存在的主要问题及改进情况", "problems"),
        ("存在的问题和下一步工作措施", "problems"),
        ("其他需要报告的事项", "other"),
        ("依申请收费及减免情况", None),
        ("收费及减免情况", None),
        ("重点领域政府信息公开情况", None),
        ("回应解读情况", None),
    ],
)
def test_roles_by_wording(title: str, role: str | None) -> None:
    assert section_role(title) == role


def test_helpers() -> None:
    sections = split_sections(LINES_2021)
    assert heading_title(" 三 、收到和处理\n政府信息公开申请情况") == "收到和处理政府信息公开申请情况"
    assert find_role(sections, "applications") is sections[2]
    assert find_role(sections[:1], "problems") is None
    shanghai = split_sections(
        "一、总体情况\n概况。\n二、主动公开工作情况\n公开393件。\n三、政府信息公开申请情况\n收到34件。\n"
        "一、主动公开政府信息情况\n行政许可 97\n二、收到和处理政府信息公开申请情况\n申请人情况\n"
    )
    assert find_role(shanghai, "applications").heading == "二、收到和处理政府信息公开申请情况"
    assert find_role(shanghai, "active_disclosure").heading == "一、主动公开政府信息情况"
    assert len(list(iter_sections(sections))) == 6 + 2
    assert is_standard_heading("政府信息公开工作存在的主要问题及改进情况")
    assert not is_standard_heading("政府信息公开申请情况")


def main() -> None:
    """Print how many eval reports' headings equal gold."""
    ok = 0
    for entry in MANIFEST:
        got = headings(split_sections(load(report_path(entry)).text))
        want = gold_headings(entry["id"])
        ok += got == want
        if got != want:
            print(f"  {entry['id']}: got {got} want {want}")
    print(f"sections: {ok}/{len(MANIFEST)} reports match gold")


if __name__ == "__main__":
    main()


# ------------------------------------------------------------------ the command
def test_cli_sections_tree_and_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extractor.cli import commands  # noqa: F401  (registers the commands)
    from extractor.cli.app import app

    report = tmp_path / "report.txt"
    report.write_text(LINES_2021, encoding="utf-8")
    runner = CliRunner()
    tree = runner.invoke(app, ["sections", str(report)])
    assert tree.exit_code == 0, tree.output
    assert "三、收到和处理政府信息公开申请情况" in tree.output and "(一)主动公开方面" in tree.output
    assert "本年新收" not in tree.output
    as_json = runner.invoke(app, ["sections", str(report), "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert [s["heading"] for s in data] == SIX
    assert data[0]["children"][0] == {
        "heading": "(一)主动公开方面", "number": "(一)", "level": 2, "role": None,
        "span": data[0]["children"][0]["span"], "heading_span": data[0]["children"][0]["heading_span"], "children": [],
    }
    first = data[2]
    assert LINES_2021[first["span"]["start"] : first["heading_span"]["end"]] == "三、收到和处理政府信息公开申请情况"
    assert first["role"] == "applications" and first["level"] == 1 and first["number"] == "三"


def test_cli_sections_missing_file_is_a_user_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extractor.cli import commands  # noqa: F401
    from extractor.cli.app import app
    from extractor.errors import InputError

    result = CliRunner().invoke(app, ["sections", str(tmp_path / "missing.txt")])
    assert isinstance(result.exception, InputError)
