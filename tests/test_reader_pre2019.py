"""The pre-2019 reader: every shape of the old statistics table, the prose counts, and the eval set.

Hand-made texts pin each rule (a blank stays None, a 0 only where the text says
none, glued digits cut by the identities or left blank); the eval tests run
the reader on EVERY pre-2019 report of the manifest and compare with gold.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from evalset import MANIFEST, gold_record, report_path
from extractor.document import Document
from extractor.loading import load, load_bytes
from extractor.reader.pre2019 import read_pre2019
from extractor.readings import Reading
from extractor.record import Record, flatten
from extractor.sections import split_sections

PRE2019 = [m for m in MANIFEST if m["template"] == "pre2019"]
MUST_MATCH = ("pre2019.applications.received", "pre2019.review.total", "pre2019.litigation.total")

# Gold keys the reader leaves blank on purpose (never a wrong number), and why.
DOCUMENTED_BLANKS: dict[tuple[str, str], str] = {
    # No statement of a 主动公开 total: 目录新增信息323条 / 共发布信息1669条 are read by gold as the total.
    ("hebei-gxt-2016", "pre2019.proactive_items"): "only 目录新增信息323条, no 主动公开…N条",
    ("hebei-jyt-2017", "pre2019.proactive_items"): "only 共发布信息1669条, no 主动公开…N条",
}


def read(text: str) -> Reading:
    doc = load_bytes(text.encode("utf-8"), "report.txt")
    return read_pre2019(doc, split_sections(doc.text))


def values(reading: Reading) -> dict[str, object]:
    return {k: v for k, v in flatten(reading.record).items() if k.startswith("pre2019.") and v is not None}


# ------------------------------------------------------------------ table shapes
def test_tab_separated_rows_with_a_blank_cell() -> None:
    text = (
        "政府信息公开情况统计表\n统计指标\t单位\t统计数\n"
        "主动公开政府信息数\t条\t120\n收到申请数\t件\t3\n当面申请数\t件\t1\n传真申请数\t件\t\n"
        "网络申请数\t件\t2\n行政复议数量\t件\t0\n行政诉讼数量\t件\t\n"
    )
    got = values(read(text))
    assert got["pre2019.proactive_items"] == 120
    assert got["pre2019.applications.received"] == 3
    assert got["pre2019.applications.in_person"] == 1
    assert got["pre2019.applications.online"] == 2
    assert got["pre2019.review.total"] == 0
    assert "pre2019.applications.fax" not in got  # blank cell: None, not 0
    assert "pre2019.litigation.total" not in got


def test_one_cell_per_line_with_notes_and_outcome_rows() -> None:
    text = (
        "统计指标\n单位\n统计数\n\n一、主动公开情况\n\n(一)主动公开政府信息数\n(不同渠道和方式公开相同信息计1条)\n条\n57\n\n"
        "三、依申请公开情况\n(一)收到申请数\n件\n4\n1.当面申请数\n件\n0\n2.传真申请数\n件\n0\n3.网络申请数\n件\n3\n"
        "4.信函申请数\n件\n1\n(三)申请答复数\n件\n4\n1.属于已主动公开范围数\n件\n1\n2.同意公开答复数\n件\n2\n"
        "4.不同意公开答复数\n件\n1\n四、行政复议数量\n件\n2\n(一)维持具体行政行为数\n件\n1\n(二)被依法纠错数\n件\n1\n"
        "(三)其他情形数\n件\n0\n五、行政诉讼数量\n件\n1\n(一)维护具体行政行为或者驳回原告诉讼请求数\n件\n1\n"
        "六、举报投诉数量\n件\n0\n七、依申请公开信息收取的费用\n万元\n0\n"
    )
    got = values(read(text))
    assert got["pre2019.proactive_items"] == 57  # not the 1 in the note
    assert got["pre2019.applications.received"] == 4
    assert got["pre2019.applications.letter"] == 1
    assert got["pre2019.applications.denied"] == 1  # 不同意公开 is not read as 同意公开
    assert got["pre2019.applications.granted"] == 2
    assert (got["pre2019.review.total"], got["pre2019.review.upheld"], got["pre2019.review.corrected"]) == (2, 1, 1)
    assert got["pre2019.litigation.upheld"] == 1
    assert got["pre2019.complaints.total"] == 0
    assert got["pre2019.fees_10k_yuan"] == 0


def test_space_separated_two_columns_take_the_year_column() -> None:
    text = (
        "统计表 指标名称 计量单位 2013年度 历年累计 主动公开信息数 条 72804 76424 其中:1、网站公开 条 72804 76424 "
        "2、政府公报公开 条 0 受理依申请公开信息总数 条 5 9 其中:1、当面申请数 条 2 3 2、传真申请数 条 3 6 "
        "行政复议数 件 1 1 附件下载"
    )
    got = values(read(text))
    assert got["pre2019.proactive_items"] == 72804
    assert got["pre2019.applications.received"] == 5
    assert got["pre2019.applications.in_person"] == 2  # the row number 2、 is not a cell
    assert got["pre2019.applications.fax"] == 3
    assert got["pre2019.review.total"] == 1


def test_glued_cells_cut_by_the_identities() -> None:
    text = (
        "附件1:统计表 指标名称计量单位2011年度历年累计主动公开信息数条4251516其中:1.网站公开条41815092.政府公报公开条77"
        "受理依申请公开信息总数条00其中:1.当面申请数条002.传真申请数条00行政复议数条00"
    )
    reading = read(text)
    got = values(reading)
    assert got["pre2019.proactive_items"] == 425  # 418 + 7 = 425 and 1509 + 7 = 1516
    assert got["pre2019.applications.received"] == 0
    assert got["pre2019.applications.fax"] == 0
    assert got["pre2019.review.total"] == 0
    evidence = reading.evidence["pre2019.proactive_items"]
    assert evidence.span is not None and evidence.span.slice(reading_text(text)) == "425"
    assert "4251516" in (evidence.note or "")


def test_glued_cells_no_identity_can_split_stay_blank() -> None:
    text = "统计表 指标名称计量单位2011年度历年累计主动公开信息数条4251516受理依申请公开信息总数条00行政复议数条00"
    reading = read(text)
    got = values(reading)
    assert "pre2019.proactive_items" not in got
    assert any("proactive_items" in p for p in reading.problems)
    assert got["pre2019.applications.received"] == 0


def test_glued_cells_decided_by_a_count_the_prose_states() -> None:
    text = (
        "二、主动公开情况 2011年主动公开政府信息425条。\n"
        "统计表 指标名称计量单位2011年度历年累计主动公开信息数条4251516受理依申请公开信息总数条00行政复议数条00"
    )
    reading = read(text)
    assert values(reading)["pre2019.proactive_items"] == 425
    assert "prose" in (reading.evidence["pre2019.proactive_items"].note or "")


def reading_text(text: str) -> str:
    return load_bytes(text.encode("utf-8"), "report.txt").text


# ------------------------------------------------------------------ prose
def test_prose_counts_and_channels() -> None:
    got = values(read("三、依申请公开情况\n本年度共收到政府信息公开申请30件,其中网上申请10件,现场申请5件,信函申请15件。"))
    assert got["pre2019.applications.received"] == 30
    assert got["pre2019.applications.online"] == 10
    assert got["pre2019.applications.in_person"] == 5
    assert got["pre2019.applications.letter"] == 15


def test_prose_letter_count_before_the_noun() -> None:
    got = values(read("2016年,本厅收到2份以信函形式提出的信息公开申请,已按时答复办结。"))
    assert got["pre2019.applications.received"] == 2
    assert got["pre2019.applications.letter"] == 2
    assert "pre2019.applications.completed" not in got  # 办结 without a count is not a count


def test_zero_only_where_the_text_says_none() -> None:
    got = values(read("2012年全区未收到有关政府信息公开的申请,未收到有关政府信息公开行政复议申请。均未向申请人收取费用。"))
    assert got["pre2019.applications.received"] == 0
    assert got["pre2019.review.total"] == 0
    assert got["pre2019.fees_10k_yuan"] == 0
    assert "pre2019.litigation.total" not in got  # never mentioned: blank, not 0


@pytest.mark.parametrize(
    "sentence",
    ["2013年1月1日至12月31日期间我局办公室未收到政府信息公开申请。", "2017年,本厅未受理依申请信息公开事项。", "本年度无依申请公开政府信息情况。"],
)
def test_no_applications_in_words(sentence: str) -> None:
    reading = read(sentence)
    assert values(reading) == {"pre2019.applications.received": 0}
    assert "none" in (reading.evidence["pre2019.applications.received"].note or "")


def test_nothing_stated_gives_blanks() -> None:
    reading = read("2018年,信息公开引起行政复议和提起行政诉讼。政府信息公开事务支出1万元。")
    assert values(reading) == {}


def test_general_caseload_excluded_by_the_same_sentence() -> None:
    got = values(read("2014年,本厅共受理行政复议1起,行政诉讼1起,没有因政府信息公开而被提起的行政复议或行政诉讼。"))
    assert got["pre2019.review.total"] == 0
    assert got["pre2019.litigation.total"] == 0


@pytest.mark.parametrize(
    "sentence",
    ["本年度未发生政府信息公开行政复议、行政诉讼案件。", "行政复议、行政诉讼均为0。", "2015年,本局未因政府信息公开被申请行政复议或提起行政诉讼。"],
)
def test_no_cases_in_words(sentence: str) -> None:
    got = values(read(sentence))
    assert got == {"pre2019.review.total": 0, "pre2019.litigation.total": 0}


def test_combined_review_and_litigation_count_is_left_blank() -> None:
    reading = read("涉及政府信息公开的行政复议和行政诉讼案件共2件,予以驳回。")
    got = values(reading)
    assert "pre2019.review.total" not in got and "pre2019.litigation.total" not in got
    assert any("combined" in p for p in reading.problems)


def test_review_upheld_in_words() -> None:
    got = values(read("2016年,在依申请公开政府信息中,本厅处理3件属维持具体行政行为的行政复议事项。"))
    assert got["pre2019.review.total"] == 3
    assert got["pre2019.review.upheld"] == 3


def test_table_wins_over_prose_and_the_conflict_is_reported() -> None:
    text = (
        "三、依申请公开 收到1份有关政府信息公开行政复议申请已及时处理。\n"
        "统计表 指标名称 计量单位 2013年度 主动公开信息数 条 50 受理依申请公开信息总数 条 0 行政复议数 件 0"
    )
    reading = read(text)
    assert values(reading)["pre2019.review.total"] == 0
    assert any("review.total" in p and "table" in p for p in reading.problems)


def test_prose_evidence_points_at_the_digits() -> None:
    text = "三、依申请公开政府信息情况  本年度我厅收到申请事项1件,办理答复1件,不属于本行政机关的1件。"
    reading = read(text)
    ev = reading.evidence["pre2019.applications.received"]
    assert ev.engine == "reader" and ev.span is not None and ev.span.slice(reading_text(text)) == "1"
    got = values(reading)
    assert got["pre2019.applications.responses"] == 1
    assert got["pre2019.applications.not_this_agency"] == 1


# ------------------------------------------------------------------ eval set
@lru_cache(maxsize=None)
def eval_reading(report_id: str) -> tuple[Reading, Record, Document]:
    entry = next(m for m in PRE2019 if m["id"] == report_id)
    doc = load(report_path(entry))
    gold = gold_record(report_id)
    return read_pre2019(doc, split_sections(doc.text)), gold, doc


@pytest.mark.evalset
@pytest.mark.parametrize("report_id", [m["id"] for m in PRE2019])
def test_eval_report_matches_gold(report_id: str) -> None:
    reading, gold, doc = eval_reading(report_id)
    unresolvable = set(gold.unresolvable or [])
    want = {k: v for k, v in flatten(gold).items() if k.startswith("pre2019.")}
    got = {k: v for k, v in flatten(reading.record).items() if k.startswith("pre2019.")}
    wrong = {k: (want.get(k), v) for k, v in got.items() if v is not None and v != want.get(k)}
    assert not wrong, f"wrong non-null values (gold, got): {wrong}"
    missing = {
        k: v for k, v in want.items()
        if v is not None and got[k] is None and k not in unresolvable and (report_id, k) not in DOCUMENTED_BLANKS
    }
    assert not missing, f"blank where gold has a value: {missing}; problems: {reading.problems}"
    stale = [k for (rid, k) in DOCUMENTED_BLANKS if rid == report_id and got[k] is not None]
    assert not stale, f"documented as blank but now read (remove from DOCUMENTED_BLANKS): {stale}"
    for key in MUST_MATCH:
        if want[key] is not None and key not in unresolvable:
            assert got[key] == want[key], key
    for key, value in got.items():  # every value carries the span it was read from
        if value is not None:
            ev = reading.evidence[key]
            assert ev.span is not None and ev.engine == "reader" and ev.value == value
            if value != 0 or ev.span.end - ev.span.start <= 2:
                assert doc.text[ev.span.start : ev.span.end].strip() != ""


# ------------------------------------------------------------------ labels and prose that name the quantity
@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("主动公开政府信息数", "proactive_items"), ("其中:主动公开文件数", "proactive_items"),
        ("(一)主动公开信息数量", "proactive_items"), ("信函、传真申请数", "aux.letter_fax"),
        ("否决公开答复数", "applications.denied"), ("不予公开答复数", "applications.denied"),
        ("申请处理数", "applications.responses"), ("对申请的答复总数", "applications.responses"),
        ("网上申请数", "applications.online"), ("现场申请数", "applications.in_person"),
        ("其它形式申请数", "applications.other_channel"), ("2.同意部分公开答复数", "applications.partially_granted"),
        ("政府网站公开政府信息数", "aux.site_channel"), ("政府采购项目数", None),
    ],
)
def test_statistics_labels_and_their_rewordings(label: str, key: str | None) -> None:
    from extractor.reader.pre2019 import pre2019_key

    assert pre2019_key(label) == key


def test_prose_fallback_names_the_quantity() -> None:
    text = "一、概述\n全年主动公开政府采购信息25条,主动公开人事信息12条。\n二、依申请公开\n未收到申请。\n"
    assert read_pre2019(load_bytes(text.encode("utf-8"), "r.txt")).record.pre2019.proactive_items is None
    text = "一、概述\n全年主动公开各类政府信息400余条,其中人事信息12条。\n"
    assert read_pre2019(load_bytes(text.encode("utf-8"), "r.txt")).record.pre2019.proactive_items == 400
