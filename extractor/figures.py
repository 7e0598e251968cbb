"""Every quantity stated in a report's running prose (spec "figures"): name, value, unit, approx.

A figure is an Arabic-digit number in a sentence with what it counts: the
noun phrase before it (权责事项共33项 -> 权责事项) or, where the words before are
only a subject or a verb, the one after it (建立6500余家三级包联服务机制 ->
三级包联服务机制); its unit is the measure word printed right after it (with
万/亿, 大类, 个工作日); 余/多/近/约/以上/左右 make it approximate.

What is not a figure is decided by the language and the layout, never by a
report: dates, years and times; document numbers (〔2020〕17号) and anything
else ending in 号; law articles and ordinals (第15次); phone numbers, postcodes,
URLs and e-mail addresses; hotline names (12345 as a name); numbers glued to
Latin letters or a plus (5G, 1+N); list markers (1. 2、 (1)); attachment and
page references (附件6-3, -2-); and every cell of a table (the caller passes
the table regions it read; a line that is only cells is a table row anyway).

``find_figures`` is pure: text and excluded spans in, ``FoundFigure`` out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from extractor.document import Span
from extractor.numbers import parse_number
from extractor.record import Figure

__all__ = ["FoundFigure", "find_figures", "figure_unit"]


class FoundFigure(BaseModel):
    """A figure with the span of its printed number and unit (its evidence)."""

    figure: Figure
    span: Span


# ----------------------------------------------------------------- units
# Measure words, longest first (个工作日 before 个, 人次 before 人). A classifier may carry a size word
# (7大类, 3小类) and the unit may carry 万/亿/千 (4.3万篇, 613万人次).
_MEASURES = (
    "个工作日", "工作日", "个百分点", "百分点", "个月", "个点", "人次", "件次", "户次", "家次", "场次", "车次", "架次",
    "批次", "条次", "课时", "学时", "小时", "分钟", "平方公里", "平方米", "公顷", "公里", "千米", "立方米", "千瓦",
    "人日", "余项", "万元", "亿元", "元", "条", "件", "项", "个", "次", "人", "名", "家", "场", "期", "篇", "份", "册",
    "本", "部", "套", "台", "座", "户", "所", "起", "宗", "批", "类", "种", "届", "天", "日", "周", "轮", "米", "吨",
    "亩", "辆", "间", "处", "节", "门", "张", "幅", "块", "株", "支", "单", "笔", "例", "位", "组", "队", "集", "页",
    "封", "通", "段", "首", "幢", "栋", "村", "镇", "片", "所", "级", "层", "倍", "岁", "年", "字", "章", "款", "目",
    "分", "%", "‰",
)
_SIZE = ("大类", "小类", "大项", "小项", "大批")
# Longest unit first, so 个工作日 wins over 个; then by text, so the pattern is the same on every run.
_MEASURE_RE = "|".join(re.escape(m) for m in sorted({*_SIZE, *_MEASURES}, key=lambda m: (-len(m), m)))
_APPROX_BETWEEN = "余多"
# number, then (万/亿)(余/多)(measure)(余/多)(以上/左右)
_GAP = r"[ \t\u3000]*\n?[ \t\u3000]*"  # PDF text puts spaces (and line ends) between a number and its unit
_UNIT_AFTER = re.compile(
    rf"{_GAP}(?P<mult>万亿|千万|百万|万|亿|千)?(?P<a1>[余多])?(?P<unit>{_MEASURE_RE})?(?P<a2>[余多])?(?P<a3>以上|左右|上下)?"
)
_APPROX_BEFORE = re.compile(r"(?:近|约|大约|将近|接近|超过|逾)$")

# A number in running text: 1,234 / 94.87 / 33.
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\d.])\d+(?:\.\d+)?(?![\d])")

# ----------------------------------------------------------------- what is not a figure
_DATE_AFTER = re.compile(
    r"\s*(?:年度|周年|月(?!均)|日(?!均)|时(?!间|期)|点(?:钟|半)|号|[:\-—–~～至到](?=\s*\d)|届(?:[一二三四五六七八九十]|中)|/\d)"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_ADDRESS_BEFORE = re.compile(r"(?:号楼|号|栋|幢|单元|路|街|大道|巷|楼)\s*$")
_ADDRESS_AFTER = re.compile(r"\s*(?:楼|层|室|号)")
_ORDINAL_BEFORE = re.compile(
    r"(?:\d\s*[:·.]|[·]|第|No\.?|NO\.?|[〔\[【<《]|附件|附表|图|表|编号|代码|"
    r"邮编|邮政编码|电话|传真|热线|手机|QQ|qq|地址|网址|邮箱|号码|[A-Za-z]|"
    r"(?:邮编|邮政编码|电话|传真|热线|手机|地址|邮箱|号码)\s*[:：]\s*|[+＋/\\@_-])\s*$"
)
_NAME_AFTER = re.compile(r"\s*(?:[A-Za-z+＋/@_·]|[-—–](?=\s*\d)|\.\d|[〕\]】>》]|号)")
# Column headers of the report tables (tables 二/三/四 of the national forms): a number right after them is a cell.
_TABLE_HEADER = re.compile(r"新制作数量|新公开数量|对外公开总数量|处理决定数量|本年增/减|上一年项目数量|采购项目数量|"
                           r"本年制发件数|本年废止件数|现行有效件数|本年收费金额|信息内容|申请人情况|统计指标|计量单位")
_CONTACT = re.compile(r"(?:邮编|邮政编码|电话|传真|手机|地址|邮箱|号码)[:：]?$")
_HOTLINE = re.compile(r"123\d\d|96\d{3,4}|400\d{7}|110|119|120")
_LIST_MARK_AFTER = re.compile(r"\s*[.、．](?!\d)")
_LIST_MARK_BRACKET = re.compile(r"\(\s*$")
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9./:_%?&=#~+-]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")

# ----------------------------------------------------------------- names
_CLAUSE_BREAK = re.compile(
    rf"[,。;:!?、()“”\"\t]|\s{{2,}}|(?<![\u4e00-\u9fff])\n|\n(?![\u4e00-\u9fff\d])|截至|截止|"
    rf"\d[\d.,]*\s*(?:年度?|月|日|号|%|(?:万|亿)?(?:{_MEASURE_RE}))?"
)
# Words that open or close a clause but say nothing of what is counted.
_LEAD_WORDS = re.compile(
    r"^(?:其中|另外|此外|同时|并且|并|共计|共|全年|全厅|全局|全区|全市|全县|全省|今年|去年|本年度?|年内|当年|累计|"
    r"我(?:们|[厅局委办区市县省部院])?|本(?:机关|单位|部门)|一是|二是|三是|四是|五是|先后|分别|总计|合计|共计|"
    r"通过|围绕|针对|对|向|在|为|就|以|将|把|已|均|都)+"
)
_TRAIL_WORDS = re.compile(
    r"(?:共计|合计|总计|累计|达到|达|分为|分成|压缩至|压缩到|缩短至|降至|提升至|提高到|提高至|至|到|为|是|有|约|近|逾|"
    r"超过|将近|接近|大约|计|共|总数|总量|数量|数|了|的|等|"
    r"分别|均|各|增长|增加|减少|下降|提高|同比|比)+$"
)
_NAME_MAX = 16
_SUBJECT_ONLY = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,3}(?:厅|局|委|办|区|市|县|省|部|院)|全[\u4e00-\u9fff]{1,2}|[\u4e00-\u9fff]?年|累计|共)$"
)
_AFTER_RUN = re.compile(r"[\u4e00-\u9fff“”\"《》A-Za-z]{1,24}")
# Where the noun after a number ends: the predicate or a linking word begins.
_AFTER_STOP = re.compile(
    r"全部|实现|通过|获得|参加|参与|进行|开展|完成|予以|得到|纳入|接入|达到|覆盖|已|均|都|被|在|于|并|将|和|及|与|等|"
    r"^的(?:办理|处理|答复)|"
    r"的(?=[\u4e00-\u9fff]{0,2}\d)|的(?:办理|处理|答复)"
)
_BOUNDARY = re.compile(r"[,。;:!?、)\s]|和|及|与|$")
_SENTENCE_BREAK = re.compile(r"[。;!?]|\s{2,}|\n\s*\n")
# Words after a number that start a predicate, not the noun counted (116人参加了…, 3场次达到…).
_VERB_START = re.compile(
    r"(?:参加|参与|达到|达|为|是|次|以上|以下|以内|之内|左右|同比|比|增长|下降|减少|增加|提高|占|均|全部|分别|共|累计|"
    r"获得|被|已|在|对|从|向|并)"
)


def figure_unit(text: str, end: int) -> tuple[str | None, bool, int]:
    """The unit printed after a number ending at ``end``: (unit or None, approx, end of the unit)."""
    m = _UNIT_AFTER.match(text, end)
    if m is None or m.end() == end:
        return None, False, end
    mult, unit = m.group("mult") or "", m.group("unit") or ""
    approx = bool(m.group("a1") or m.group("a2") or m.group("a3"))
    stop = m.end()
    if unit == "余项":  # 20余项: the 余 belongs to the number
        unit, approx = "项", True
    if not unit and not mult:
        return None, approx, stop
    if m.group("a3") and not unit:
        return (mult or None), True, stop
    return (mult + unit) or None, approx, stop


def _excluded(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(s.start <= start and end <= s.end for s in spans)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _table_cell(text: str, start: int, end: int) -> bool:
    """A number that is a cell: alone on its line, in a short tab-separated cell, or in a markdown row."""
    ls, le = _line_bounds(text, start)
    line = text[ls:le]
    if line.lstrip().startswith("|") and line.count("|") >= 2:
        return True
    if "\t" in line:
        left = text.rfind("\t", ls, start)
        right = text.find("\t", end, le)
        cell = text[(left + 1 if left >= 0 else ls) : (right if right >= 0 else le)]
        if len(cell.strip()) < 40:
            return True
    rest = (line[: start - ls] + line[end - ls :]).strip(" \u3000-—–")
    return not _CJK.search(rest) or bool(re.fullmatch(r"[\s\d.,%\-—–]*[\u4e00-\u9fff]{0,2}[\s\d.,%]*", rest))


def _not_a_quantity(text: str, start: int, end: int, raw: str) -> bool:
    before = text[max(0, start - 6) : start]
    after = text[end : end + 6]
    if _ORDINAL_BEFORE.search(before) or _NAME_AFTER.match(after):
        return True
    if len(raw) >= 5 and _CONTACT.search(re.sub(r"\s+", "", text[max(0, start - 16) : start])):
        return True  # 邮 编 ： 223100, 电 话 ： 0517-…: spaced-out labels of a contact line
    if _DATE_AFTER.match(after):
        return True
    if _YEAR.fullmatch(raw) and re.match(r"\s*(?:年|[-—–~～至到]|\))", after):
        return True  # 2019年, (2015-2020年)
    if _ADDRESS_BEFORE.search(before) and _ADDRESS_AFTER.match(after):
        return True  # …号楼14层: an address
    if _LIST_MARK_AFTER.match(after) and (_list_position(text, start) or (len(raw) <= 2 and _CJK.match(after, 1))):
        return True  # 1. 2、 starting an item (主要做法1.加强组织…: a number never takes 。/、 before its noun)
    if _LIST_MARK_BRACKET.search(before) and re.match(r"\s*\)", after) and len(raw) <= 2:
        return True  # (1) (2)
    if _HOTLINE.fullmatch(raw) and not re.match(rf"\s*(?:{_MEASURE_RE})", after):
        return True  # 12345 as the hotline's name; 12345件 would be a count
    if len(raw) >= 7 and raw.isdigit() and re.search(r"电话|热线|传真|手机|联系", text[max(0, start - 12) : start]):
        return True
    if re.match(r"\s*[-—–]\s*$", before[-2:]) and re.match(r"\s*[-—–]", after):
        return True  # -2-, — 7 —: a page number
    return False


def _list_position(text: str, start: int) -> bool:
    """1. / 2、 where an item starts: a line start, or after a sentence end or a colon."""
    raw = text[max(0, start - 3) : start]
    before = raw.rstrip(" \t\u3000#*")
    if not before or before[-1] in "\n。;:!?)\"”":
        return True
    return len(before) < len(raw) and _CJK.match(text, start + 2) is not None


def _clean_before(piece: str) -> str:
    name = re.sub(r"\s+", "", piece)
    name = _LEAD_WORDS.sub("", name)
    name = _TRAIL_WORDS.sub("", name)
    return name[-_NAME_MAX:] if len(name) > _NAME_MAX else name


def _after_text(text: str, unit_end: int) -> str:
    """The words right after a number's unit, up to a clause break or a verb that starts a predicate."""
    m = _AFTER_RUN.match(text, unit_end)
    words = m.group() if m else ""
    stop = _AFTER_STOP.search(words, 1)
    return words[: stop.start()] if stop else words


def _name(text: str, start: int, unit_end: int, floor: int, unit: str | None) -> str:
    """The noun phrase the number counts.

    A number with its measure word followed straight by a noun counts that noun (建立6500余家三级包联
    服务机制, 检查95家商户的…); otherwise the words before it in its clause (权责事项共33项), looking one
    or two clauses further back where the nearest holds only 累计 / 其中 / a year; failing those, the
    words after it (全厅116人参加了考试 -> 参加考试).
    """
    after = _after_text(text, unit_end)
    clause_start = re.search(r"[,。;:!?、(\s]\s*$", text[max(0, start - 2) : start]) is not None
    if unit and (unit not in ("%", "‰") or clause_start):
        noun = after[:-1] if after.endswith("的") else after
        if re.match(r"的(?:办理|处理|答复|落实)", noun):
            noun = ""  # 提案85件的办理复文: the number belongs to the noun before it
        noun = noun[1:] if noun.startswith("的") else noun
        if noun and (len(noun) >= 2 or _BOUNDARY.match(text, unit_end + len(noun))) and not _VERB_START.match(noun):
            return noun
    lo = max(floor, start - 60)
    seg = text[lo:start]
    sentence = max((m.end() for m in _SENTENCE_BREAK.finditer(seg)), default=0)
    for piece in reversed(_CLAUSE_BREAK.split(seg[sentence:])):
        name = _clean_before(piece)
        if _SUBJECT_ONLY.match(name) or _SUBJECT_ONLY.match(re.sub(r"\s+", "", piece)):
            break  # 全厅116人参加了考试: a subject, the thing counted comes after the number
        if len(name) >= 2:
            return name
        words = _LEAD_WORDS.sub("", re.sub(r"\s+", "", piece))
        if len(words) >= 2:
            return words  # 同比增长12.3%: the change itself is what is stated
    verb = re.sub(r"^(?:了|的)|(?<=[\u4e00-\u9fff])了", "", after)
    return verb if len(verb) >= 2 else ""


def find_figures(text: str, exclude: Iterable[Span] = (), start: int = 0, end: int | None = None) -> list[FoundFigure]:
    """Every figure stated in the prose of ``text[start:end]``, in order, outside the ``exclude`` spans."""
    end = len(text) if end is None else end
    spans = sorted(exclude, key=lambda s: s.start)
    urls = [Span(start=m.start(), end=m.end()) for m in _URL.finditer(text, start, end)]
    found: list[FoundFigure] = []
    for m in _NUMBER.finditer(text, start, end):
        s, e, raw = m.start(), m.end(), m.group()
        if _excluded(spans, s, e) or _excluded(urls, s, e):
            continue
        if _not_a_quantity(text, s, e, raw) or _table_cell(text, s, e):
            continue
        value = parse_number(raw.replace(",", ""))
        if value is None:
            continue
        unit, approx, unit_end = figure_unit(text, e)
        if unit is None and ("." in raw or _YEAR.fullmatch(raw)) and _CJK.match(text, e):
            continue  # 5.18经贸洽谈会, 2019中国国际数字经济博览会: a name, not a quantity
        if unit is None and _CJK.match(text, e) and _CJK.match(text, s - 1):
            continue  # 家园985后台: digits inside a name (a count prints its measure word or a pause)
        if unit is None and _TABLE_HEADER.search(text, max(0, s - 60), s):
            continue  # cells of a template table run together with its headers (…对外公开总数量规章111151)
        if unit in ("年", "日", "周", "天", "岁") and value >= 1900:
            continue
        approx = approx or bool(_APPROX_BEFORE.search(text[max(0, s - 2) : s]))
        name = _name(text, s, unit_end, start, unit)
        if not name and found and re.fullmatch(r"\s*[、和及与]\s*", text[found[-1].span.end : s]):
            name = found[-1].figure.name  # 8600亿元、1.2万亿元: a list continues the figure before it
        if not name:
            continue
        figure = Figure(name=name, value=value, unit=unit, approx=approx)
        found.append(FoundFigure(figure=figure, span=Span(start=s, end=unit_end)))
    return found
