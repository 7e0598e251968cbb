"""The table reader (tables 二/三/四, layouts 2019 and 2021).

Unit tests run the digit-run splitter and every table shape on small
hand-made texts; the eval tests run ``read_tables`` over EVERY layout-2019/
2021 report of ``eval/manifest.jsonl`` and compare with gold: no wrong
number anywhere, blanks only where gold says the text cannot decide (or
where documented below), and the aggregate cell accuracy of the issue.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pytest

from evalset import by_layout, gold_record, report_path
from extractor.document import Document, Span
from extractor.loading import load, load_bytes
from extractor.readings import Reading
from extractor.record import (
    APPLICATION_ROWS_SINGLE_OTHER,
    APPLICATION_ROWS_SPLIT_OTHER,
    REVIEW_OUTCOMES,
    flatten,
)
from extractor.reader import table3 as reader_table3
from extractor.reader import table4 as reader_table4
from extractor.reader.splitting import Run, readings_by_count, split_run, split_runs
from extractor.reader.tables import read_tables
from extractor.sections import split_sections

TABLES = ("active_disclosure", "applications", "review_litigation")


# ------------------------------------------------------------------ splitter
def _run(text: str, at: int = 0) -> Run:
    return Run(text=text, span=Span(start=at, end=at + len(text)))


def values(rows) -> list[list]:
    return [[None if p is None else p.value for p in r] for r in rows]


def test_split_run_one_digit_per_cell_when_digits_equal_cells() -> None:
    assert values(split_run(_run("2000002"), 7)) == [[2, 0, 0, 0, 0, 0, 2]]


def test_split_run_never_gives_a_leading_zero() -> None:
    # '000' is three zeros, never '00' or '0' + '00'
    assert values(split_run(_run("000"), 3)) == [[0, 0, 0]]
    assert split_run(_run("000"), 2) == []
    assert split_run(_run("023"), 1) == []  # no cell is printed as '023'
    assert values(split_run(_run("023"), 2)) == [[0, 23]]


def test_split_run_sign_only_opens_a_cell_and_decimals_stay_whole() -> None:
    assert values(split_run(_run("156-5997"), 3)) == [
        [1, 56, -5997], [15, 6, -5997], [156, -5, 997], [156, -59, 97], [156, -599, 7],
    ]
    cuts = values(split_run(_run("102339.45"), 2))
    assert [10, 2339.45] in cuts and [102, 339.45] in cuts
    assert all(not (isinstance(a, int) and a == 1023394) for a, _ in cuts)


def test_split_runs_spaces_separate_cells() -> None:
    # '230 000023' = 23,0,0,0,0,0,23 once the row sum is applied; the splitter offers all three cuts
    runs = [_run("230"), _run("000023", 4)]
    got = values(split_runs(runs, 7))
    assert sorted(got) == sorted([[230, 0, 0, 0, 0, 2, 3], [2, 30, 0, 0, 0, 0, 23], [23, 0, 0, 0, 0, 0, 23]])


def test_thousands_separators_make_one_cell() -> None:
    assert values(split_run(_run("1,295"), 1)) == [[1295]]
    assert split_run(_run("1,295"), 2) == []


def test_piece_spans_point_at_their_digits() -> None:
    text = "xx230 000023"
    runs = [_run("230", 2), _run("000023", 6)]
    for reading in split_runs(runs, 7):
        for p in reading:
            assert text[p.span.start : p.span.end] == p.text


def test_vanished_blank_cells_are_placed_every_way_with_required_slots() -> None:
    groups = list(readings_by_count([_run("22")], 7, required=(6,)))
    k, rows = groups[0]
    assert k == 2
    assert sorted(values(rows), key=str) == sorted(
        ([2 if i == j else None for i in range(6)] + [2] for j in range(6)), key=str
    )


# ------------------------------------------------------------------ hand-made table 三
_SPLIT_LABELS = {k: unicodedata.normalize("NFKC", v) for k, v in APPLICATION_ROWS_SPLIT_OTHER.items()}
_SINGLE_LABELS = {k: unicodedata.normalize("NFKC", v) for k, v in APPLICATION_ROWS_SINGLE_OTHER.items()}
HEADER = "申请人情况\n自然人\t法人或其他组织\t总计\n商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n"


def consistent_rows(split: bool = True) -> dict[str, list[int]]:
    """A table 三 whose identities all hold: 12 new + 1 carried = 11 handled + 2 carried forward."""
    keys = list(APPLICATION_ROWS_SPLIT_OTHER if split else APPLICATION_ROWS_SINGLE_OTHER)
    rows = {k: [0] * 7 for k in keys}
    rows["new_received"] = [10, 2, 0, 0, 0, 0, 12]
    rows["carried_over"] = [1, 0, 0, 0, 0, 0, 1]
    rows["granted"] = [5, 1, 0, 0, 0, 0, 6]
    rows["unavailable.not_held"] = [3, 1, 0, 0, 0, 0, 4]
    rows["other_handling.other" if split else "other_handling"] = [1, 0, 0, 0, 0, 0, 1]
    rows["total"] = [9, 2, 0, 0, 0, 0, 11]
    rows["carried_forward"] = [2, 0, 0, 0, 0, 0, 2]
    return rows


def wrap(table3: str, table4: str = "", table2: str = "") -> str:
    return (
        "一、总体情况\n本机关认真落实。\n二、主动公开政府信息情况\n" + table2
        + "\n三、收到和处理政府信息公开申请情况\n" + table3
        + "\n四、政府信息公开行政复议、行政诉讼情况\n" + table4
        + "\n五、存在的主要问题及改进情况\n2024年将改进。\n"
    )


def read(text: str, layout: str = "2021", name: str = "t.txt") -> Reading:
    doc = load_bytes(text.encode("utf-8"), name)
    return read_tables(doc, split_sections(doc.text), layout)


def table3(reading: Reading) -> dict[str, list]:
    return {k: list(v.model_dump().values()) for k, v in (reading.record.applications or {}).items()}


def assert_spans_hold_digits(doc_text: str, reading: Reading) -> None:
    for path, ev in reading.evidence.items():
        if isinstance(ev.value, (int, float)) and not isinstance(ev.value, bool):
            assert ev.span is not None, path
            assert _digits(ev.value) in doc_text[ev.span.start : ev.span.end].replace(",", ""), path


def _digits(value: int | float) -> str:
    text = repr(abs(value))
    return text[:-2] if text.endswith(".0") else text


def test_delimited_rows_keep_blank_cells_blank() -> None:
    rows = consistent_rows()
    lines = []
    for key, label in _SPLIT_LABELS.items():
        cells = ["" if v == 0 and key.startswith("denied.") else str(v) for v in rows[key]]
        lines.append("\t".join([label, *cells]))
    text = wrap(HEADER + "\n".join(lines))
    got = table3(read(text))
    assert got["new_received"] == rows["new_received"]
    assert got["denied.state_secret"] == [None] * 7  # printed blank: None, never 0
    assert got["total"] == rows["total"]
    assert got["other_handling.other"] == [1, 0, 0, 0, 0, 0, 1]
    assert "other_handling" not in got


def test_flattened_digit_runs_are_cut_by_the_identities() -> None:
    rows = consistent_rows()
    parts = []
    for key, label in _SPLIT_LABELS.items():
        digits = "".join(str(v) for v in rows[key])
        if key == "new_received":
            digits = "102 000012"  # = 10,2,0,0,0,0,12 (a stray space, not a cell border)
        parts.append(label + digits)
    text = wrap(HEADER.replace("\n", "").replace("\t", "") + "".join(parts))
    reading = read(text)
    assert table3(reading) == rows
    doc = load_bytes(text.encode(), "t.txt")
    assert_spans_hold_digits(doc.text, reading)


def test_flattened_row_with_vanished_blanks_keeps_only_what_is_decided() -> None:
    # '22': one applicant cell 2 and 总计 2; which applicant column is not printed -> None
    parts = []
    for key, label in _SINGLE_LABELS.items():
        parts.append(label + ("22" if key in ("new_received", "granted", "total") else ""))
    reading = read(wrap("申请人情况自然人法人或其他组织总计" + "".join(parts)), layout="2019")
    got = table3(reading)
    assert got["new_received"] == [None] * 6 + [2]
    assert got["granted"] == [None] * 6 + [2]
    assert got["carried_over"] == [None] * 7
    assert any("new_received" in p for p in reading.problems)


def test_space_separated_rows_with_thousands_separators() -> None:
    rows = consistent_rows()
    rows["new_received"] = [1200, 2, 0, 0, 0, 0, 1202]
    rows["granted"] = [1195, 1, 0, 0, 0, 0, 1196]
    rows["total"] = [1199, 2, 0, 0, 0, 0, 1201]
    lines = [label + " " + " ".join(f"{v:,}" for v in rows[key]) for key, label in _SPLIT_LABELS.items()]
    reading = read(wrap("申请人情况 自然人 总计\n" + "\n".join(lines)))
    assert table3(reading) == rows
    doc = load_bytes(wrap("申请人情况 自然人 总计\n" + "\n".join(lines)).encode(), "t.txt")
    assert_spans_hold_digits(doc.text, reading)


def test_one_cell_per_line_with_blank_lines_as_blank_cells() -> None:
    rows = consistent_rows(split=False)
    out = []
    for key, label in _SINGLE_LABELS.items():
        if key.startswith("not_processed."):
            cells = [""] * 7  # printed empty
        else:
            cells = [str(v) for v in rows[key]]
        out.append(label + "\n\n\n" + "\n\n\n".join(cells) + "\n\n\n\n\n")
    text = wrap("申请人情况\n\n\n自然人\n\n\n总计\n\n\n\n\n" + "".join(out))
    got = table3(read(text, layout="2019"))
    assert got["granted"] == rows["granted"]
    assert got["not_processed.duplicate"] == [None] * 7
    assert got["carried_forward"] == rows["carried_forward"]


def test_pdf_text_rows_and_column_blocks_read_by_position() -> None:
    """Labels after their numbers, rows (三)1–(四)3 printed column by column, a page footer inside."""
    rows = consistent_rows(split=False)
    keys = list(APPLICATION_ROWS_SINGLE_OTHER)
    block = keys[4:15]  # (三)1 … (四)3: eleven rows as seven column blocks
    before, after = keys[:4], keys[15:]
    out = ["申请人情况", "自然人", "总计", ""]
    for key in before:
        out += [x for v in rows[key] for x in (str(v), "")]
    for c in range(7):
        out += [str(rows[k][c]) for k in block] + [""]
    out += [_SINGLE_LABELS[k] for k in block] + ["", "-3-", ""]
    for key in after:
        out += [x for v in rows[key] for x in (str(v), "")]
    out += [_SINGLE_LABELS[k] for k in before + after]
    reading = read(wrap("\n".join(out)), layout="2021")
    got = table3(reading)
    assert got == rows  # a 2021 report printing (六) as one row keeps other_handling alone
    assert "other_handling.other" not in got


def test_markdown_rows_with_labels_on_other_lines_read_by_position() -> None:
    rows = consistent_rows()
    out = ["申请人情况", "| 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |", "|---|---|---|---|---|---|---|"]
    for i, (key, label) in enumerate(_SPLIT_LABELS.items()):
        cells = " | ".join(str(v) for v in rows[key])
        if i % 3 == 1:  # label pulled out of the table onto its own line, the row printed bare
            out += [label, f"| {cells} |"]
        else:
            out.append(f"| {label} | {cells} |")
    got = table3(read(wrap("\n".join(out)), name="t.md"))
    assert got == rows


def test_seven_rows_of_seven_lines_are_not_mistaken_for_a_column_block() -> None:
    """Seven units of seven numbers read either as seven rows or as a column block: the identities decide."""
    rows = consistent_rows()
    out = ["申请人情况", "自然人", "总计", ""]
    for key in APPLICATION_ROWS_SPLIT_OTHER:
        out += [str(v) for v in rows[key]] + [""]
    out += list(_SPLIT_LABELS.values())
    assert table3(read(wrap("\n".join(out)))) == rows


def test_a_wrong_section_split_does_not_lose_the_tables() -> None:
    from extractor.sections import Section

    rows = consistent_rows()
    lines = ["\t".join([label, *map(str, rows[key])]) for key, label in _SPLIT_LABELS.items()]
    text = wrap(HEADER + "\n".join(lines), "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n" + "\t".join(["0"] * 15))
    doc = load_bytes(text.encode(), "t.txt")
    wrong = [
        Section(heading="三、", number="三", level=1, span=Span(start=0, end=5), heading_span=Span(start=0, end=2), role="applications"),
        Section(heading="四、", number="四", level=1, span=Span(start=5, end=9), heading_span=Span(start=5, end=7), role="review_litigation"),
    ]
    reading = read_tables(doc, wrong, "2021")
    assert table3(reading) == rows
    assert table4(reading) == [0] * 15


def test_columns_out_of_the_standard_order_leave_the_table_blank() -> None:
    """总计 printed first: row sums fail everywhere, so no cell can be trusted to be in its column."""
    rows = consistent_rows()
    lines = ["\t".join([label, str(rows[key][6]), *map(str, rows[key][:6])]) for key, label in _SPLIT_LABELS.items()]
    got = table3(read(wrap("申请人情况\n总计\t自然人\t法人或其他组织\n" + "\n".join(lines))))
    assert all(v is None for row in got.values() for v in row)


def test_unlabelled_garbage_stays_blank_rather_than_guessed() -> None:
    text = wrap("申请人情况\n一、本年新收政府信息公开申请数量\n12\n5\n")
    got = table3(read(text))
    assert all(v is None for row in got.values() for v in row)


# ------------------------------------------------------------------ table 四
R4_HEAD = "行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉\n"


def table4(reading: Reading) -> list:
    rl = reading.record.review_litigation or {}
    return [v for g in ("review", "litigation_direct", "litigation_after_review") for v in rl[g].model_dump().values()]


def test_table4_fifteen_digits_one_per_cell() -> None:
    reading = read(wrap("", "行政复议结果维持结果纠正其他结果尚未审结总计110024001510102"))
    assert table4(reading) == [1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2]


def test_table4_run_cut_by_group_sums() -> None:
    # 3 1 0 0 4 | 10 2 0 0 12 | 0 0 0 0 0 -> only one cut makes every group add up
    reading = read(wrap("", "结果维持结果纠正其他结果尚未审结总计 3100410200120 0000"))
    assert table4(reading) == [3, 1, 0, 0, 4, 10, 2, 0, 0, 12, 0, 0, 0, 0, 0]


def test_table4_blank_cells_stay_blank() -> None:
    reading = read(wrap("", R4_HEAD + "5\t\t\t2\t7\t8\t\t\t1\t9\t\t\t\t\t"), name="t.txt")
    assert table4(reading) == [5, None, None, 2, 7, 8, None, None, 1, 9, None, None, None, None, None]


def test_table4_source_error_is_kept_as_printed_and_reported() -> None:
    reading = read(wrap("", "结果\n维持\n\n结果\n纠正\n\n10\n\n1\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n5\n\n0\n\n0\n\n0\n\n总计\n\n0\n"))
    assert table4(reading) == [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]
    assert any("review_litigation.review" in p for p in reading.problems)


def test_table4_out_of_order_groups_are_left_blank() -> None:
    # the totals of review and of the litigation groups were printed out of place
    stream = "72 64 178 37 12 1 1 6 总计 351 13 4 8 1 26 总计 20".split()
    text = wrap("", "结果\n维持\n\n结果\n纠正\n\n其他\n结果\n\n" + "\n\n".join(stream) + "\n")
    got = table4(read(text))
    assert got[:5] == [72, 64, 178, 37, 351]
    assert got[5:] == [None] * 10


def test_table4_one_small_table_per_group() -> None:
    head = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n"
    text = wrap("", "### 行政复议\n" + head + "| 27 | 10 | 9 | 15 | 61 |\n### 行政诉讼（未经复议直接起诉）\n" + head
                + "| 3 | 0 | 0 | 0 | 3 |\n### 行政诉讼（复议后起诉）\n" + head + "| 8 | 0 | 1 | 1 | 10 |\n")
    assert table4(read(text, name="t.md")) == [27, 10, 9, 15, 61, 3, 0, 0, 0, 3, 8, 0, 1, 1, 10]


def test_table4_prose_before_the_table_is_not_read() -> None:
    text = wrap("", "全年行政复议3件，均维持原行政行为。\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n" + "\t".join(["0"] * 15))
    assert table4(read(text)) == [0] * 15


def test_table4_not_printed_is_blank() -> None:
    reading = read(wrap("", "2020年未发生涉及政府信息公开的行政复议、行政诉讼案件。"))
    assert table4(reading) == [None] * 15


# ------------------------------------------------------------------ table 二
def test_table2_2021_flattened_runs() -> None:
    t2 = (
        "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件5225"
        "第二十条第(五)项信息内容本年处理决定数量行政许可273第二十条第(六)项信息内容本年处理决定数量行政处罚54行政强制"
        "第二十条第(八)项信息内容本年收费金额(单位:万元)行政事业性收费739.0766"
    )
    ad = read(wrap("", "", t2)).record.active_disclosure
    assert ad["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    # 5/2/25 and 5/22/5 both fit; 52/2/5 cannot (in force ≥ issued − repealed): only issued is decided
    assert ad["normative_documents"] == {"issued": 5, "repealed": None, "in_force": None}
    assert ad["licensing"] == {"decisions": 273}
    assert ad["enforcement"] == {"decisions": None}  # nothing printed: blank, not 0
    assert ad["fees"] == {"amount_10k_yuan": 739.0766}


def test_table2_prose_count_picks_among_cuts() -> None:
    t2 = "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件1126"
    text = "一、总体情况\n全年制发厅规范性文件1件、废止1件。\n" + wrap("", "", t2)
    ad = read(text).record.active_disclosure
    assert ad["normative_documents"] == {"issued": 1, "repealed": 1, "in_force": 26}


def test_table2_2019_signed_changes_and_procurement() -> None:
    t2 = (
        "第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章规范性文件111151"
        "第二十条第(五)项信息内容上一年项目数量本年增/减处理决定数量行政许可156-5997其他对外管理服务事项00"
        "第二十条第(六)项信息内容上一年项目数量本年增/减处理决定数量行政处罚1-10行政强制0+1111"
        "第二十条第(八)项信息内容上一年项目数量本年增/减行政事业性收费10"
        "第二十条第(九)项信息内容采购项目数量采购总金额政府集中采购102339.45万元"
    )
    ad = read(wrap("", "", t2), layout="2019").record.active_disclosure
    assert ad["regulations"] == {"made": None, "published": None, "total_public": None}
    assert ad["licensing"] == {"previous_year": 156, "change": None, "decisions": None}
    assert ad["other_services"] == {"previous_year": None, "change": None, "decisions": None}
    assert ad["penalties"] == {"previous_year": 1, "change": -1, "decisions": 0}
    assert ad["enforcement"]["previous_year"] == 0
    assert ad["procurement"] == {"projects": None, "amount": None, "amount_unit": "万元"}


def test_table2_cell_pulled_out_of_its_row_goes_where_its_remark_says() -> None:
    t2 = (
        "第二十条第（一）项\n22\n（其中修订 16 件）\n55\n（含自然失效 29 件）\n"
        "第二十条第（五）项\n信息内容本年处理决定数量\n行政许可 0\n"
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n"
        "| 规章 | 22 | 235 |\n| 行政规范性文件 | 34 | 189 |\n"
    )
    ad = read(wrap("", "", t2), name="t.md").record.active_disclosure
    assert ad["regulations"] == {"issued": 22, "repealed": 22, "in_force": 235}
    assert ad["normative_documents"] == {"issued": 34, "repealed": 55, "in_force": 189}


def test_table2_row_missing_a_cell_without_a_remark_stays_blank() -> None:
    t2 = (
        "第二十条第（一）项\n信息内容\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
        "| 规章 | 22 | 235 |\n| 行政规范性文件 | 34 | 0 | 189 |\n"
    )
    ad = read(wrap("", "", t2), name="t.md").record.active_disclosure
    assert ad["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert ad["normative_documents"] == {"issued": 34, "repealed": 0, "in_force": 189}


def test_numbers_on_their_own_lines_are_never_cut() -> None:
    """'0' and '11' printed as separate cells of a three-cell row: one cell was lost, which one is unknown."""
    t2 = "第二十条第（一）项\n信息内容\n\n本年制发件数\n\n本年废止件数\n\n现行有效件数\n\n规章\n\n0\n\n11\n\n行政规范性文件\n\n8\n\n26\n\n66\n"
    ad = read(wrap("", "", t2)).record.active_disclosure
    assert ad["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert ad["normative_documents"] == {"issued": 8, "repealed": 26, "in_force": 66}


def test_digits_glued_to_a_stray_point_are_no_number() -> None:
    t2 = "第二十条第(八)项信息内容本年收费金额(单位:万元)行政事业性收费.376375"
    assert read(wrap("", "", t2)).record.active_disclosure["fees"] == {"amount_10k_yuan": None}


def test_table2_values_before_their_labels_in_pdf_text() -> None:
    t2 = (
        "第二十条第（一）项\n信息内容\n\n本年制发件数\n\n本年废止件数\n\n现行有效件数\n\n规章\n\n0\n\n0\n\n0\n\n"
        "行政规范性文件\n\n0\n\n5\n\n5\n\n第二十条第（五）项\n\n信息内容\n\n本年处理决定数量\n550\n\n行政许可\n\n"
        "第二十条第（六）项\n\n-2-\n\n信息内容\n\n本年处理决定数量\n\n行政处罚\n\n4119\n\n行政强制\n\n195\n"
        "第二十条第（八）项\n信息内容\n\n本年收费金额（单位：万元）\n7730.28\n\n行政事业性收费\n"
    )
    ad = read(wrap("", "", t2)).record.active_disclosure
    assert ad["licensing"] == {"decisions": 550}
    assert ad["penalties"] == {"decisions": 4119}
    assert ad["enforcement"] == {"decisions": 195}
    assert ad["fees"] == {"amount_10k_yuan": 7730.28}


def test_labels_used_are_fragments_of_the_record_labels() -> None:
    """The anchors are derived from record.py's printed labels, not re-typed."""
    for key, frags in reader_table3._ROW_FRAGMENTS.items():
        label = unicodedata.normalize("NFKC", {**APPLICATION_ROWS_SINGLE_OTHER, **APPLICATION_ROWS_SPLIT_OTHER}[key])
        for frag in frags:
            assert frag in label, (key, frag)
    every_row = set(APPLICATION_ROWS_SINGLE_OTHER) | set(APPLICATION_ROWS_SPLIT_OTHER)
    assert set(reader_table3.ROW_ANCHORS) == every_row
    for half in reader_table4._REVIEW_OUTCOME_HEADERS:
        assert any(half in label for label in REVIEW_OUTCOMES.values())


def test_rejects_pre2019_layout() -> None:
    doc = load_bytes("一、概述\n正文".encode(), "t.txt")
    with pytest.raises(ValueError):
        read_tables(doc, [], "pre2019")


# ------------------------------------------------------------------ the eval set
NEW_LAYOUT = by_layout("2019", "2021")

MIN_ACCURACY = 0.995


@lru_cache(maxsize=None)
def _read_report(report_id: str) -> tuple[Document, Reading]:
    doc = load(report_path(report_id))
    return doc, read_tables(doc, split_sections(doc.text), gold_record(report_id).meta.layout)


def _compare(report_id: str) -> tuple[int, int, list[str], list[str]]:
    """(scored cells, right cells, wrong numbers, unexplained blanks) of one report."""
    gold = gold_record(report_id)
    unresolvable = set(gold.unresolvable or [])
    want = {k: v for k, v in flatten(gold).items() if k.split(".")[0] in TABLES}
    got = {k: v for k, v in flatten(_read_report(report_id)[1].record).items() if k.split(".")[0] in TABLES}
    scored = right = 0
    wrong: list[str] = []
    blanks: list[str] = []
    for key in set(want) | set(got):
        g, r = want.get(key), got.get(key)
        if g is None and key in unresolvable:
            continue  # nobody can tell: not scored
        scored += 1
        if r == g or (r is None and key in unresolvable):
            right += 1
        elif r is None:
            blanks.append(f"{key}: gold {g}")
        else:
            wrong.append(f"{key}: read {r!r}, gold {g!r}")
    return scored, right, wrong, blanks


@pytest.mark.evalset
@pytest.mark.parametrize("report_id", [m["id"] for m in NEW_LAYOUT])
def test_eval_report_has_no_wrong_number(report_id: str) -> None:
    _, _, wrong, blanks = _compare(report_id)
    assert not wrong, wrong
    assert not blanks, f"blank where gold decides a number: {blanks}"


@pytest.mark.evalset
@pytest.mark.parametrize("report_id", [m["id"] for m in NEW_LAYOUT])
def test_eval_report_evidence_spans_hold_the_digits(report_id: str) -> None:
    doc, reading = _read_report(report_id)
    assert_spans_hold_digits(doc.text, reading)
    cells = [k for k in flatten(reading.record) if k.split(".")[0] in TABLES]
    assert cells and all(k in reading.evidence for k in cells)  # every cell: where it was read, or why blank
    assert all(reading.evidence[k].note for k in cells if reading.evidence[k].value is None)


@pytest.mark.evalset
def test_eval_aggregate_cell_accuracy() -> None:
    scored = right = 0
    for m in NEW_LAYOUT:
        s, r, _, _ = _compare(m["id"])
        scored += s
        right += r
    assert scored > 4000  # every table cell of every report is scored
    assert right / scored >= MIN_ACCURACY, f"{right}/{scored}"
