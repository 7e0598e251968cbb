"""The grid reader: tables 二/三/四 and the pre-2019 statistics table read from table grids.

Grids are built in code the way the loaders build them (a row per line of
``Document.text``, cells separated by tabs, merged cells once with their
spans; PDF-style explicit row/col positions or HTML-style implicit ones),
plus one DOCX made with python-docx and loaded for real. The eval-set side
(every report, every cell) is in ``test_eval_set.py`` and ``test_reader_tables.py``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest

from extractor.checks import check_review_litigation
from extractor.document import Box, Document, Span, Table, TableCell
from extractor.loading import load_bytes
from extractor.reader import read_document
from extractor.reader.grid import Grid, classify
from extractor.reader.gridtables import read_applications_grid, read_review_grid
from extractor.reader.tables import read_tables
from extractor.record import APPLICATION_ROWS_SINGLE_OTHER, APPLICATION_ROWS_SPLIT_OTHER, Meta

# A grid cell as written in a test: its text, or (text, rowspan, colspan), or (text, rowspan, colspan, row, col)
CellSpec = str | tuple


def make_doc(tables: Sequence[Sequence[Sequence[CellSpec]]], before: str = "", explicit: bool = False) -> Document:
    """A Document whose text prints each grid row on its own line, cells separated by tabs."""
    text = before
    out: list[Table] = []
    for rows in tables:
        trows: list[list[TableCell]] = []
        start = len(text)
        for row in rows:
            cells: list[TableCell] = []
            for k, spec in enumerate(row):
                if k:
                    text += "\t"
                t, rs, cs, pos = (spec, 1, 1, None) if isinstance(spec, str) else (*spec[:3], spec[3:] or None)
                a = len(text)
                text += t.replace("\n", " ") if not explicit else t
                cell = TableCell(text=t, span=Span(start=a, end=len(text)), rowspan=rs, colspan=cs)
                if explicit and pos:
                    cell.row, cell.col = pos
                cells.append(cell)
            text += "\n"
            trows.append(cells)
        out.append(Table(rows=trows, span=Span(start=start, end=len(text) - 1)))
    return Document(format="html", sha256="0" * 64, source=text, text=text, offsets=list(range(len(text) + 1)), tables=out)


# ------------------------------------------------------------------ table 三
HEADER3 = [
    [("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", 3, 3), ("申请人情况", 1, 7)],
    [("自\n然\n人", 2, 1), ("法人或其他组织", 1, 5), ("总\n计", 2, 1)],
    ["商业\n企业", "科研\n机构", "社会\n公益\n组织", "法律\n服务\n机构", "其他"],
]
LEAVES = {
    "denied": ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
               "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"],
    "unavailable": ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"],
    "not_processed": ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                      "5.要求行政机关确认或重新出具已获取信息"],
    "other": ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"],
}


def nums(values: Sequence[int | str]) -> list[str]:
    return [str(v) for v in values]


def table3_rows(split_other: bool, value: dict[str, list[int | str]] | None = None) -> list[list[CellSpec]]:
    """Table 三 as the template prints it, every row 1 0 0 0 0 0 1 unless ``value`` says otherwise."""
    keys = list(APPLICATION_ROWS_SPLIT_OTHER if split_other else APPLICATION_ROWS_SINGLE_OTHER)
    value = value or {}

    def v(key: str) -> list[str]:
        return nums(value.get(key, [1, 0, 0, 0, 0, 0, 1]))

    n_outcome = 2 + 8 + 3 + 5 + (3 if split_other else 1) + 1
    rows: list[list[CellSpec]] = [*HEADER3]
    rows.append([("一、本年新收政府信息公开申请数量", 1, 3), *v("new_received")])
    rows.append([("二、上年结转政府信息公开申请数量", 1, 3), *v("carried_over")])
    rows.append([("三\n、\n本\n年\n度\n办\n理\n结\n果", n_outcome, 1), ("(一)予以公开", 1, 2), *v("granted")])
    rows.append([("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", 1, 2), *v("partially_granted")])
    groups = [("denied", "(三)不予公开"), ("unavailable", "(四)无法提供"), ("not_processed", "(五)不予处理")]
    if split_other:
        groups.append(("other", "(六)其他处理"))
    for group, title in groups:
        for i, leaf in enumerate(LEAVES[group]):
            key = keys[[k.startswith(group if group != "other" else "other_handling.") for k in keys].index(True) + i]
            head = [(title, len(LEAVES[group]), 1)] if i == 0 else []
            rows.append([*head, leaf, *v(key)])
    if not split_other:
        rows.append([("(六)其他处理", 1, 2), *v("other_handling")])
    rows.append([("(七)总计", 1, 2), *v("total")])
    rows.append([("四、结转下年度继续办理", 1, 3), *v("carried_forward")])
    return rows


def _apps(reading) -> dict[str, dict[str, int | None]]:  # noqa: ANN001
    return {k: v.model_dump() for k, v in (reading.record.applications or {}).items()}


@pytest.mark.parametrize("split_other", [False, True])
def test_table3_other_handling_as_one_or_three_rows(split_other: bool) -> None:
    values = {"granted": [3, 1, 0, 0, 0, 0, 4], "total": [27, 1, 0, 0, 0, 0, 28]}
    if split_other:
        values["other_handling.other"] = [5, 0, 0, 0, 0, 0, 5]
    else:
        values["other_handling"] = [5, 0, 0, 0, 0, 0, 5]
    doc = make_doc([table3_rows(split_other, values)])
    reading = read_tables(doc, [], "2021")
    apps = _apps(reading)
    expected = APPLICATION_ROWS_SPLIT_OTHER if split_other else APPLICATION_ROWS_SINGLE_OTHER
    assert list(apps) == list(expected)
    assert apps["granted"] == dict(zip(apps["granted"], [3, 1, 0, 0, 0, 0, 4], strict=True))
    five = "other_handling.other" if split_other else "other_handling"
    assert apps[five]["natural_person"] == 5 and apps[five]["total"] == 5
    if split_other:
        assert apps["other_handling.no_correction"]["total"] == 1  # the group label (六)其他处理 names no row
    ev = reading.evidence["applications.granted.natural_person"]
    assert ev.read_from == "grid"
    assert ev.span is not None and doc.text[ev.span.start : ev.span.end] == "3"


def test_table3_vertical_headers_blank_cells_and_unknown_rows() -> None:
    rows = table3_rows(False, {"carried_over": ["", "", "", "", "", "", ""], "new_received": [2, "-", 0, 0, 0, 0, 2]})
    # a row the template does not have, between two template rows: ignored, not guessed, nothing shifts
    rows.insert(6, [("(一点五)其他情况说明", 1, 2), *nums([9, 9, 9, 9, 9, 9, 9])])
    doc = make_doc([rows])
    apps = _apps(read_tables(doc, [], "2019"))
    assert apps["carried_over"] == dict.fromkeys(apps["carried_over"])  # blank stays null, never 0
    assert apps["new_received"]["commercial"] is None and apps["new_received"]["research"] == 0
    assert apps["partially_granted"]["natural_person"] == 1
    assert 9 not in [v for row in apps.values() for v in row.values()]


def test_table3_cell_with_two_numbers_is_left_blank() -> None:
    rows = table3_rows(False, {"granted": ["1 0", 0, 0, 0, 0, 0, 1]})
    reading = read_tables(make_doc([rows]), [], "2019")
    assert _apps(reading)["granted"]["natural_person"] is None
    assert any("several numbers" in p for p in reading.problems)


def test_table3_continued_in_a_second_grid_takes_the_first_grids_columns() -> None:
    rows = table3_rows(True, {"carried_forward": [4, 0, 0, 0, 0, 2, 6]})
    cut = 3 + 4 + 8  # the header, 一, 二, (一), (二) and (三)'s eight rows on the first page
    second = [list(r) for r in rows[cut:]]
    # on the next page the cell of 三、本年度办理结果 is printed again, empty, as PDF grids do
    second[0] = [("", 3 + 5 + 3 + 1, 1), *second[0]]
    doc = make_doc([rows[:cut], second])
    reading = read_tables(doc, [], "2021")
    apps = _apps(reading)
    assert apps["carried_forward"]["other_org"] == 2 and apps["carried_forward"]["total"] == 6
    assert all(v is not None for row in apps.values() for v in row.values())
    result = read_applications_grid([Grid(t, i) for i, t in enumerate(doc.tables)], "2021")
    assert result is not None and result.grids == [0, 1]


def test_explicit_positions_as_the_pdf_loader_sets_them() -> None:
    """PDF grids give each cell its row/col; a position left empty (no cell printed) is no cell."""
    rows: list[list[CellSpec]] = [
        [("行政复议", 1, 5, 0, 0), ("行政诉讼", 1, 10, 0, 5)],
        [*[(w, 2, 1, 1, i) for i, w in enumerate(["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总 计"])],
         ("未经复议直接起诉", 1, 5, 1, 5), ("复议后起诉", 1, 5, 1, 10)],
        [(w, 1, 1, 2, 5 + i) for i, w in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)],
        [(str(v), 1, 1, 3, i) for i, v in enumerate([1, 2, 0, 0, 3, 0, 0, 0, 1, 1, 4, 0, 0, 0, 4])],
    ]
    doc = make_doc([rows], explicit=True)
    got = {g: o.model_dump() for g, o in (read_tables(doc, [], "2021").record.review_litigation or {}).items()}
    assert got["review"] == {"upheld": 1, "corrected": 2, "other": 0, "pending": 0, "total": 3}
    assert got["litigation_direct"]["pending"] == 1 and got["litigation_direct"]["total"] == 1
    assert got["litigation_after_review"] == {"upheld": 4, "corrected": 0, "other": 0, "pending": 0, "total": 4}


# ------------------------------------------------------------------ table 四
TABLE4_HEADER: list[list[CellSpec]] = [
    [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
    [("结果维持", 2, 1), ("结果纠正", 2, 1), ("其他结果", 2, 1), ("尚未审结", 2, 1), ("总计", 2, 1),
     ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


def test_table4_header_three_rows_deep_and_identity_broken_as_printed() -> None:
    # the source's own error: the totals say 0 although the outcomes are 10 + 1 and 5
    data = nums([10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0])
    blank_row = [""] * 15  # an empty row below the data, as some pages print
    doc = make_doc([[*TABLE4_HEADER, data, blank_row]])
    reading = read_tables(doc, [], "2021")
    t4 = {g: o.model_dump() for g, o in (reading.record.review_litigation or {}).items()}
    assert t4["review"] == {"upheld": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0}
    assert t4["litigation_after_review"]["upheld"] == 5 and t4["litigation_after_review"]["total"] == 0
    assert any("review_litigation.review: total 0" in p for p in reading.problems)
    findings = [f for f in check_review_litigation(reading.record) if f.status == "fail"]
    assert {f.rule for f in findings} == {"group_sum"} and len(findings) == 2
    assert reading.evidence["review_litigation.review.upheld"].read_from == "grid"


def test_table4_blank_cells_stay_null_and_zero_stays_zero() -> None:
    data = ["", "", "", "", "", "0", "0", "0", "0", "0", "-", "-", "-", "-", "-"]
    t4 = read_review_grid([Grid(make_doc([[*TABLE4_HEADER, data]]).tables[0])])
    assert t4 is not None
    assert t4.cells["review.upheld"].value is None
    assert t4.cells["litigation_direct.total"].value == 0
    assert t4.cells["litigation_after_review.total"].value is None


def test_table4_printed_with_groups_as_rows() -> None:
    rows: list[list[CellSpec]] = [
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", *nums([1, 0, 0, 0, 1])],
        [("行政诉讼", 2, 1), "未经复议直接起诉", *nums([0, 2, 0, 0, 2])],
        ["复议后起诉", *nums([0, 0, 3, 0, 3])],
    ]
    rows[0] = [("", 1, 2), *rows[0][1:]]
    rows[1] = [("行政复议", 1, 2), *rows[1][1:]]
    t4 = read_review_grid([Grid(make_doc([rows]).tables[0])])
    assert t4 is not None
    assert t4.cells["review.upheld"].value == 1
    assert t4.cells["litigation_direct.corrected"].value == 2
    assert t4.cells["litigation_after_review.other"].value == 3


# ------------------------------------------------------------------ table 二
def test_table2_layout_2021_and_2019_blocks() -> None:
    t2021: list[list[CellSpec]] = [
        [("第二十条第(一)项", 1, 4)],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "1", "5"],
        ["行政规范性文件", "12", "3", "40"],
        [("第二十条第(五)项", 1, 4)],
        ["信息内容", ("本年处理决定数量", 1, 3)],
        ["行政许可", ("550", 1, 3)],
        [("第二十条第(六)项", 1, 4)],
        ["信息内容", ("本年处理决定数量", 1, 3)],
        ["行政处罚", ("", 1, 3)],
        ["行政强制", ("0", 1, 3)],
        [("第二十条第(八)项", 1, 4)],
        ["信息内容", ("本年收费金额(单位:万元)", 1, 3)],
        ["行政事业性收费", ("7730.28", 1, 3)],
    ]
    reading = read_tables(make_doc([t2021]), [], "2021")
    ad = reading.record.active_disclosure or {}
    assert ad["normative_documents"] == {"issued": 12, "repealed": 3, "in_force": 40}
    assert ad["licensing"] == {"decisions": 550}
    assert ad["penalties"] == {"decisions": None} and ad["enforcement"] == {"decisions": 0}
    assert ad["fees"] == {"amount_10k_yuan": 7730.28}

    t2019: list[list[CellSpec]] = [
        [("第二十条第(一)项", 1, 4)],
        ["信息内容", "本年新 制作数量", "本年新 公开数量", "对外公开总数量"],
        ["规章", "0", "0", "7"],
        ["规范性文件", "77", "77", "166"],
        [("第二十条第(八)项", 1, 4)],
        ["信息内容", "上一年项目数量", ("本年增/减", 1, 2)],
        ["行政事业性收费", "35", ("-15", 1, 2)],
        [("第二十条第(九)项", 1, 4)],
        ["信息内容", "采购项目数量", ("采购总金额", 1, 2)],
        ["政府集中采购", "395", ("73802895.90元", 1, 2)],
    ]
    ad = read_tables(make_doc([t2019]), [], "2019").record.active_disclosure or {}
    assert ad["normative_documents"] == {"made": 77, "published": 77, "total_public": 166}
    assert ad["fees"] == {"previous_year": 35, "change": -15}
    assert ad["procurement"] == {"projects": 395, "amount": 73802895.9, "amount_unit": "元"}
    assert ad["licensing"] == {"previous_year": None, "change": None, "decisions": None}  # not printed


# ------------------------------------------------------------------ choice per table, pre-2019, DOCX
def test_each_table_from_its_grid_or_from_the_text() -> None:
    """Table 二 only as text, table 三 as a grid: each table is read where it is."""
    before = (
        "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t2\n行政规范性文件\t4\t1\t9\n三、收到和处理政府信息公开申请情况\n"
    )
    doc = make_doc([table3_rows(False)], before=before)
    reading = read_tables(doc, [], "2021")
    assert (reading.record.active_disclosure or {})["normative_documents"] == {"issued": 4, "repealed": 1, "in_force": 9}
    assert reading.evidence["active_disclosure.normative_documents.issued"].read_from == "text"
    assert reading.evidence["applications.total.total"].read_from == "grid"


def test_pre2019_statistics_table_from_the_grid() -> None:
    rows: list[list[CellSpec]] = [
        ["指标名称", "计量 单位", "2011 年度", "历年累计"],
        ["主动公开信息数", "条", "425", "1516"],
        ["受理依申请公开信息总数", "条", "3", "9"],
        ["其中:1.当面申请数", "条", "1", "1"],
        ["2.传真申请数", "条", "", "0"],
        ["3.网上申请数", "条", "2", "8"],
        ["行政复议数", "件", "0", "0"],
        ["其中:维持具体行政行为数", "件", "0", "0"],
    ]
    doc = make_doc([rows], before="2011年政府信息公开工作年度报告\n")
    reading = read_document(doc, [], Meta(layout="pre2019", year=2011))
    pre = reading.record.pre2019
    assert pre is not None
    assert pre.proactive_items == 425 and pre.applications.received == 3 and pre.applications.online == 2
    assert pre.applications.fax is None  # blank cell, not 0
    assert pre.review.total == 0 and pre.review.upheld == 0
    ev = reading.evidence["pre2019.proactive_items"]
    assert ev.read_from == "grid" and ev.span is not None and doc.text[ev.span.start : ev.span.end] == "425"


def test_docx_table_read_from_its_grid() -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("2022年政府信息公开工作年度报告")
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t = d.add_table(rows=4, cols=15)
    t.cell(0, 0).merge(t.cell(0, 4)).text = "行政复议"
    t.cell(0, 5).merge(t.cell(0, 14)).text = "行政诉讼"
    for i, w in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
        t.cell(1, i).merge(t.cell(2, i)).text = w
        t.cell(2, 5 + i).text = w
        t.cell(2, 10 + i).text = w
    t.cell(1, 5).merge(t.cell(1, 9)).text = "未经复议直接起诉"
    t.cell(1, 10).merge(t.cell(1, 14)).text = "复议后起诉"
    for i, v in enumerate([2, 0, 0, 1, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]):
        t.cell(3, i).text = str(v)
    buf = io.BytesIO()
    d.save(buf)
    doc = load_bytes(buf.getvalue(), "report.docx")
    assert doc.tables, "the DOCX loader gives the table as a grid"
    reading = read_tables(doc, [], "2021")
    t4 = {g: o.model_dump() for g, o in (reading.record.review_litigation or {}).items()}
    assert t4["review"] == {"upheld": 2, "corrected": 0, "other": 0, "pending": 1, "total": 3}
    assert t4["litigation_after_review"]["total"] == 1
    assert reading.evidence["review_litigation.review.total"].read_from == "grid"


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [("12", "num", 12, None), (" 1,295 ", "num", 1295, None), ("-18", "num", -18, None), ("−3", "num", -3, None),
     ("73802895.90元", "num", 73802895.9, "元"), ("", "blank", None, None), ("—", "blank", None, None),
     ("4 0", "multi", None, None), ("10\n3", "multi", None, None), ("总 计", "text", None, None)],
)
def test_cell_classification(text: str, kind: str, value: float | None, unit: str | None) -> None:
    assert classify(text) == (kind, value, unit)


@pytest.mark.parametrize(("printed", "taken"), [(2, True), (5, False)])
def test_row_missing_from_the_grid_is_read_from_the_text_only_if_the_identities_hold(printed: int, taken: bool) -> None:
    """A row the grid lost (a page ruling the loader missed) but the text still prints."""
    zero = [0] * 7
    keys = list(APPLICATION_ROWS_SINGLE_OTHER)
    values: dict[str, list[int | str]] = {k: list(zero) for k in keys}
    values.update(
        new_received=[3, 0, 0, 0, 0, 0, 3], granted=[1, 0, 0, 0, 0, 0, 1], total=[3, 0, 0, 0, 0, 0, 3],
        **{"unavailable.needs_creation": [printed, 0, 0, 0, 0, 0, printed]},
    )
    doc = make_doc([table3_rows(False, values)])
    lost = next(i for i, row in enumerate(doc.tables[0].rows) if any("没有现成信息" in c.text for c in row))
    del doc.tables[0].rows[lost]
    reading = read_tables(doc, [], "2019")
    row = _apps(reading)["unavailable.needs_creation"]
    ev = reading.evidence["applications.unavailable.needs_creation.total"]
    if taken:
        assert row["natural_person"] == 2 and row["total"] == 2 and ev.read_from == "text"
        assert reading.evidence["applications.granted.total"].read_from == "grid"
    else:
        assert row == dict.fromkeys(row)
        assert any("breaks the identities" in p for p in reading.problems)


def test_table_found_by_alignment_label_wrapped_over_lines() -> None:
    """One grid row per printed line, absent cells where nothing is printed: a wrapped label's numbers
    sit on another line than its words; a line without a label of its own takes them."""
    rows = table3_rows(False, {"partially_granted": [7, 0, 0, 0, 0, 1, 8]})
    at = next(i for i, row in enumerate(rows) if any("部分公开" in (c if isinstance(c, str) else c[0]) for c in row))
    values = rows[at][1:]
    rows[at] = [("(二)部分公开(区分处理的,", 1, 2)]  # the words, no cells
    rows.insert(at + 1, [("只计这一情形,不计其他情形)", 1, 2), *values])  # the rest of the label, and the numbers
    # the group cell of 三、本年度办理结果 now spans one more line
    g = at - 1
    rows[g] = [(rows[g][0][0], rows[g][0][1] + 1, 1), *rows[g][1:]]
    apps = _apps(read_tables(make_doc([rows]), [], "2019"))
    assert apps["partially_granted"]["natural_person"] == 7 and apps["partially_granted"]["total"] == 8
    assert apps["granted"]["total"] == 1


def test_table3_reworded_column_headers() -> None:
    rows = table3_rows(False, {"new_received": [5, 1, 0, 2, 0, 3, 11]})
    rows[0:3] = [
        [("", 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("合计", 2, 1)],
        ["企业", "科研机构", "公益组织", "法律服务机构(个)", "其它"],
    ]
    apps = _apps(read_tables(make_doc([rows]), [], "2019"))
    assert list(apps["new_received"].values()) == [5, 1, 0, 2, 0, 3, 11]


def test_unmapped_glyph_in_a_label_still_names_its_row() -> None:
    """A PDF glyph with no character (U+FFFD) stands for any one character of a template label."""
    rows = table3_rows(False, {"denied.state_secret": [2, 0, 0, 0, 0, 0, 2]})
    for row in rows:
        for k, cell in enumerate(row):
            if isinstance(cell, str) and "国家秘密" in cell:
                row[k] = cell.replace("国", "\ufffd")
    apps = _apps(read_tables(make_doc([rows]), [], "2019"))
    assert apps["denied.state_secret"]["natural_person"] == 2


def test_table3_header_rows_left_on_the_page_before() -> None:
    """Only the lowest header row (商业企业 … 其他) is in the grid: the template's column order places
    自然人 and 总计; with no header at all, seven value columns at the right are read in that order."""
    rows = table3_rows(False, {"new_received": [5, 1, 0, 2, 0, 3, 11]})
    rows[0:3] = [[("", 1, 3), "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]]
    reading = read_tables(make_doc([rows]), [], "2019")
    assert list(_apps(reading)["new_received"].values()) == [5, 1, 0, 2, 0, 3, 11]
    assert any("template's order" in p for p in reading.problems)
    no_header = table3_rows(False, {"new_received": [5, 1, 0, 2, 0, 3, 11]})[3:]
    assert list(_apps(read_tables(make_doc([no_header]), [], "2019"))["new_received"].values()) == [5, 1, 0, 2, 0, 3, 11]


def test_table4_header_ended_the_page_before() -> None:
    """The upper header rows end one page, the outcome row and the data start the next: the cells take
    the labels printed over them (PDF boxes, same x) from the grid before."""
    xs = [60 + 30 * i for i in range(16)]

    def box(page: int, c0: int, c1: int, top: float) -> Box:
        return Box(page=page, x0=xs[c0], top=top, x1=xs[c1], bottom=top + 20)

    first = [
        [("行政复议", 1, 5, 0, 0), ("行政诉讼", 1, 10, 0, 5)],
        [*[(w, 1, 1, 1, i) for i, w in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])],
         ("未经复议直接起诉", 1, 5, 1, 5), ("复议后起诉", 1, 5, 1, 10)],
    ]
    second = [
        [*[("", 1, 1, 0, i) for i in range(5)],
         *[(w, 1, 1, 0, 5 + i) for i, w in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)]],
        [(str(v), 1, 1, 1, i) for i, v in enumerate([2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19])],
    ]
    doc = make_doc([first, second], explicit=True)
    for t, page in zip(doc.tables, (4, 5), strict=True):
        for row in t.rows:
            for c in row:
                c.box = box(page, c.col, c.col + c.colspan, 100 + 20 * c.row)
    got = {g: o.model_dump() for g, o in (read_tables(doc, [], "2021").record.review_litigation or {}).items()}
    assert got["review"] == {"upheld": 2, "corrected": 1, "other": 3, "pending": 1, "total": 7}
    assert got["litigation_after_review"] == {"upheld": 13, "corrected": 2, "other": 4, "pending": 0, "total": 19}


def test_pre2019_table_continued_on_the_next_page() -> None:
    first: list[list[CellSpec]] = [
        ["指标名称", "计量单位", "2013年度", "历年累计"],
        ["主动公开信息数", "条", "72804", "76424"],
        ["受理依申请公开信息总数", "条", "0", "0"],
        ["其中:1、当面申请数", "条", "0", "0"],
    ]
    second: list[list[CellSpec]] = [
        ["3、否决公开答复数", "条", "0", "0"],
        ["行政复议数", "件", "0", "0"],
        ["行政诉讼数", "件", "2", "5"],
    ]
    doc = make_doc([first, second], before="2013年政府信息公开工作年度报告\n本机关收到1份有关政府信息公开行政复议的咨询。\n")
    pre = read_document(doc, [], Meta(layout="pre2019", year=2013)).record.pre2019
    assert pre is not None
    assert pre.review.total == 0 and pre.litigation.total == 2  # the table's, read on the second page


def test_table2_block_without_header_row_is_read_left_to_right_only_in_a_table2_grid() -> None:
    rows: list[list[CellSpec]] = [
        [("第二十条第(一)项", 1, 4)],
        ["规章", "1", "0", "3"],
        ["行政规范性文件", "4", "2", "9"],
    ]
    reading = read_tables(make_doc([rows]), [], "2021")
    assert (reading.record.active_disclosure or {})["normative_documents"] == {"issued": 4, "repealed": 2, "in_force": 9}
    assert any("read left to right" in p for p in reading.problems)
    other = [["事项", "说明"], ["行政处罚", "12"], ["行政强制", "3"]]  # some other table of the report
    reading = read_tables(make_doc([other]), [], "2021")
    assert (reading.record.active_disclosure or {})["penalties"] == {"decisions": None}
    assert reading.evidence["active_disclosure.penalties.decisions"].read_from == "text"


def test_bare_other_leaf_under_the_other_handling_group() -> None:
    """(六) printed as three rows whose last leaf is only 其他: the group cell spanning it says which row it is."""
    rows = table3_rows(True, {"other_handling.other": [6, 0, 0, 0, 0, 0, 6]})
    for row in rows:
        for k, cell in enumerate(row):
            if cell == "3.其他":
                row[k] = "其他"
    apps = _apps(read_tables(make_doc([rows]), [], "2021"))
    assert apps["other_handling.other"]["natural_person"] == 6


@pytest.mark.parametrize("merged", [True, False])
def test_cells_run_together_in_one_grid_cell(merged: bool) -> None:
    """'4 0' in one cell: over two columns (a ruling the loader missed) or with the next column printing
    no cell at all (explicit positions, as the PDF loader gives them), the numbers go to those columns
    in order."""
    rows = table3_rows(False, {"granted": [4, 0, 0, 0, 0, 0, 4]})
    doc = make_doc([_place(rows)], explicit=True)
    row = next(r for r in doc.tables[0].rows if any("予以公开" in c.text for c in r))
    first = next(i for i, c in enumerate(row) if c.text == "4")
    row[first].text = "4 0"
    if merged:
        row[first].colspan = 2
    del row[first + 1]
    apps = _apps(read_tables(doc, [], "2019"))
    assert apps["granted"]["natural_person"] == 4 and apps["granted"]["commercial"] == 0
    assert apps["granted"]["total"] == 4


def _place(rows: list[list[CellSpec]]) -> list[list[CellSpec]]:
    """The rows with explicit (row, col) positions, placed as the HTML rule places them."""
    grid = Grid(make_doc([rows]).tables[0])
    out: list[list[CellSpec]] = []
    for r in range(grid.nrows):
        out.append([(g.cell.text, g.rowspan, g.colspan, g.row, g.col) for g in grid.starting(r)])
    return out


def test_table2_row_missing_from_the_grid_is_read_from_the_text() -> None:
    grid_part: list[list[CellSpec]] = [
        [("第二十条第(一)项", 1, 4)],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "1", "5"],
        ["行政规范性文件", "12", "3", "40"],
    ]
    after = "\n第二十条第(五)项\n信息内容\t本年处理决定数量\n行政许可\t321\n"
    doc = make_doc([grid_part])
    doc = doc.model_copy(update={"text": doc.text + after, "source": doc.source + after,
                                 "offsets": list(range(len(doc.text + after) + 1))})
    reading = read_tables(doc, [], "2021")
    ad = reading.record.active_disclosure or {}
    assert ad["licensing"] == {"decisions": 321} and ad["normative_documents"]["in_force"] == 40
    assert reading.evidence["active_disclosure.licensing.decisions"].read_from == "text"
    assert reading.evidence["active_disclosure.regulations.in_force"].read_from == "grid"


def test_table4_numbers_run_into_one_cell() -> None:
    data: list[CellSpec] = [*nums([10, 1, 0, 0, 11, 0, 0, 0]), ("0 0", 1, 2), *nums([5, 0, 0, 0, 5])]
    t4 = read_review_grid([Grid(make_doc([[*TABLE4_HEADER, data]]).tables[0])])
    assert t4 is not None
    assert t4.cells["litigation_direct.pending"].value == 0 and t4.cells["litigation_direct.total"].value == 0
    assert t4.cells["litigation_after_review.upheld"].value == 5
    assert t4.cells["review.total"].value == 11


def test_table4_group_the_grid_ran_together_is_left_to_the_text() -> None:
    """The litigation half of the grid came out as one cell (header and numbers run together): the
    review group is still read from the grid, the other groups from the text (blank here)."""
    rows: list[list[CellSpec]] = [
        [("行政复议", 1, 5), ("行政诉讼未经复议直接起诉复议后起诉结果维持结果纠正总计 8 1 9", 3, 10)],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["5", "", "", "2", "7"],
    ]
    reading = read_tables(make_doc([rows]), [], "2019")
    t4 = {g: o.model_dump() for g, o in (reading.record.review_litigation or {}).items()}
    assert t4["review"] == {"upheld": 5, "corrected": None, "other": None, "pending": 2, "total": 7}
    assert t4["litigation_direct"] == dict.fromkeys(t4["litigation_direct"])
    assert reading.evidence["review_litigation.review.total"].read_from == "grid"


def test_table4_groups_in_two_grids() -> None:
    review: list[list[CellSpec]] = [[("行政复议", 1, 5)], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
                                    nums([1, 0, 0, 0, 1])]
    litigation: list[list[CellSpec]] = [
        [("行政诉讼", 1, 10)],
        [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
        nums([0, 2, 0, 0, 2, 3, 0, 0, 0, 3]),
    ]
    t4 = read_review_grid([Grid(t, i) for i, t in enumerate(make_doc([review, litigation]).tables)])
    assert t4 is not None and t4.grids == [0, 1] and not t4.missing_rows
    assert t4.cells["review.total"].value == 1
    assert t4.cells["litigation_direct.corrected"].value == 2 and t4.cells["litigation_after_review.total"].value == 3
