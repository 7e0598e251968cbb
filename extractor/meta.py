"""Who reported, on which year, in which layout, published when: the record's ``meta``.

Everything is read from the text as printed. The layout is decided by the
table columns the report prints (a 2021 report on the 2019 form is layout
``2019``), never by the year alone; the year is the year reported on (the
statistics period or the title), not the publication year; the agency is the
reporting body as the report names it (title first, then signature, then the
body that "compiled" the report, then the body the text keeps naming).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date

from extractor.document import Document
from extractor.normalize import compact
from extractor.numbers import parse_cn_numeral
from extractor.record import Kind, LayoutName, Meta
from extractor.sections import Section, find_body

# ----------------------------------------------------------------- layout
# Column headers of table 二 (and the split row (六) of table 三) that only one
# form prints. Compared on text without whitespace: PDF and HTML cells break
# headers over lines (本年新\n制作数量).
_MARKERS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "本年处理决定数量")
_MARKERS_2021_TABLE3 = ("逾期不补正", "逾期未按收费通知")
_MARKERS_2019 = (
    "新制作数量", "本年新公开数量", "本年度公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "采购项目数量",
)
# The old national statistics table (统计指标 / 单位 / 统计数) and Fujian's variant (指标名称 / 计量单位).
_MARKERS_PRE2019 = ("统计指标", "指标名称")
_SIX_SECTION_WORDING = ("收到和处理政府信息公开申请", "本年新收政府信息公开申请数量")


def detect_layout(text: str, sections: Sequence[Section], year: int | None = None) -> LayoutName | None:
    """The form the report is printed on: by its table columns, else by its section structure.

    ``year`` only breaks the tie for a report that has the six-section structure
    of the new forms but prints none of their tables.
    """
    flat = compact(text)
    if any(m in flat for m in _MARKERS_2021):
        return "2021"
    if any(m in flat for m in _MARKERS_2019):
        return "2019"
    if any(m in flat for m in _MARKERS_2021_TABLE3):
        return "2021"
    if any(m in flat for m in _MARKERS_PRE2019):
        return "pre2019"
    titles = [s.title for s in sections]
    six = any(w in t for t in titles for w in _SIX_SECTION_WORDING) or any(w in flat for w in _SIX_SECTION_WORDING[1:])
    if six:
        return "2021" if year is not None and year >= 2021 else "2019"
    return "pre2019"


# ----------------------------------------------------------------- kind
# A report that calls itself the annual report (本报告, 本年度报告, …信息公开工作年度报告 as its own title).
# Titles of other documents are removed first: citing the annual-report notice (《…年度报告格式》,
# 国办公开办函〔2019〕60号) does not make a text an annual report.
_ANNUAL_SELF = re.compile(r"本(?:年度)?(?:报告|年报)|信息公开(?:工作)?年度报告(?!格式)|信息公开(?:工作)?年报")
# In the body only 本报告 / 本年度报告 / 现将…年度报告公布如下 say what the text itself is: a summary may well say
# it published its annual report (按时发布2022年政府信息公开工作年度报告).
_THIS_REPORT = re.compile(
    r"本(?:年度)?(?:报告|年报)|(?:现将|特|现)[^。]{0,30}?年度报告[^。]{0,6}?(?:公布|发布|报告)如下"
)
_CITED_TITLE = re.compile(r"《[^《》\n]{0,80}》|<[^<>\n]{0,80}>")
# What other reports on a body's work call themselves (spec "meta.kind"): 政务公开工作落实情况,
# 工作总结, 法治政府建设情况报告, 工作要点完成情况.
_SUMMARY_CUES = ("落实情况", "工作总结", "总结", "完成情况", "建设情况", "工作情况汇报", "工作情况报告", "情况的报告",
                 "情况报告", "情况的函", "工作汇报", "述职")
_TITLE_LINES = 2  # a title takes the first lines of the body (two when it wraps)
_TITLE_WIDTH = 80
_DISCLOSURE_ROLES = ("active_disclosure", "applications", "review_litigation")


def _title_area(text: str, sections: Sequence[Section]) -> str:
    """The first lines of the body, before the first section: where a report prints its title."""
    start = find_body(text).start
    end = sections[0].span.start if sections and sections[0].span.start > start else len(text)
    lines = [ln.strip()[:_TITLE_WIDTH] for ln in text[start:end].split("\n") if ln.strip()]
    return "\n".join(lines[:_TITLE_LINES])


def detect_kind(text: str, sections: Sequence[Section]) -> Kind:
    """``annual_report`` for a 政府信息公开工作年度报告, ``work_summary`` for any other report on a body's work.

    Decided by what the text is: the report tables it prints, what it calls
    itself (本报告, …年度报告 in its title), what its title says it is (工作总结,
    落实情况, 建设情况报告), and its structure (sections on 主动公开 / 依申请公开 /
    复议诉讼, the subject of the disclosure report). A citation of another
    document (the annual-report notice in 《》) counts for nothing.
    """
    flat = compact(text)
    if any(m in flat for m in (*_MARKERS_2021, *_MARKERS_2019, *_MARKERS_PRE2019)):
        return "annual_report"
    own = _CITED_TITLE.sub("", flat)
    head = _CITED_TITLE.sub("", compact(_title_area(text, sections)))
    if _ANNUAL_SELF.search(head) or _THIS_REPORT.search(own):
        return "annual_report"
    if any(c in head for c in _SUMMARY_CUES):
        return "work_summary"
    roles = {s.role for s in sections if s.role in _DISCLOSURE_ROLES}
    if len(roles) >= 2:
        return "annual_report"
    if own.count("政府信息公开") >= 3 and "依申请" in own:
        return "annual_report"
    return "work_summary"


# ----------------------------------------------------------------- year
_PERIOD = re.compile(r"(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|-|~|－)")
_TITLE = re.compile(
    r"(\d{4})\s*年\s*度?[^\n。,;:\d]{0,24}?(?:政府信息公开|信息公开|政务公开)[^\n。,;:\d]{0,8}?\n?[^\n。,;:\d]{0,6}?(?:报告|年报|总结)"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def detect_year(text: str) -> int | None:
    """The year reported on: statistics period, else the title's year, else the year the text names most."""
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    m = _TITLE.search(text)
    if m:
        return int(m.group(1))
    counts = Counter(int(y) for y in _YEAR.findall(text))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], -y))  # on a tie the earlier year: the later one is publication


# ----------------------------------------------------------------- published
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = re.compile(
    r"(?P<y>\d{4}|[〇○零Oo0一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_HEADER_DATE = re.compile(r"(?:发布时间|发布日期|成文日期|时间|日期)\s*[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_CHROME_AFTER = ("更多信息", "附件", "扫一扫", "打印", "关闭", "相关链接", "分享", "统计表")
_SIGNATURE_BEFORE = "。;)厅局府会室委办心院部站"


def _cn_part(value: str) -> int | None:
    if value.isdigit():
        return int(value)
    return parse_cn_numeral(value)


def _date_of(m: re.Match[str]) -> date | None:
    y = m.group("y")
    year = int(y) if y.isdigit() else int("".join(str(_CN_DIGIT[ch]) for ch in y))
    month, day = _cn_part(m.group("m")), _cn_part(m.group("d"))
    try:
        return date(year, month or 0, day or 0)
    except ValueError:
        return None


def _standalone(text: str, m: re.Match[str]) -> bool:
    """A date printed on its own (signature line, under the title), not inside a sentence."""
    before = text[max(0, m.start() - 3) : m.start()].rstrip(" \t\u3000")
    if before and before[-1] not in "\n(" and before[-1] not in _SIGNATURE_BEFORE:
        return False
    after = text[m.end() : m.end() + 12]
    rest = after.lstrip(" \t\u3000")
    if not rest or rest[0] in "\n)":
        return True
    return rest.startswith(_CHROME_AFTER) or bool(re.match(r"[\u4e00-\u9fff]{2,}", rest) and after[:1].isspace())


def _printed_dates(text: str, year: int | None) -> list[tuple[re.Match[str], date]]:
    """Dates printed on their own (signature, under the title) that can date a report on ``year``."""
    found = []
    for m in _DATE.finditer(text):
        d = _date_of(m)
        if d is None or not _standalone(text, m):
            continue
        if year is not None and not (year <= d.year <= year + 1):
            continue
        found.append((m, d))
    return found


def detect_published(text: str, year: int | None) -> str | None:
    """The date printed on the report (the last one: the signature), else the page header's date."""
    found = _printed_dates(text, year)
    if found:
        return found[-1][1].isoformat()
    for m in _HEADER_DATE.finditer(text, 0, min(len(text), 3000)):
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if year is None or year <= d.year <= year + 1:
            return d.isoformat()
    return None


# ----------------------------------------------------------------- agency
_ORGAN_SUFFIXES = ("人民政府", "政府", "办公厅", "办公室", "管委会", "管理委员会", "委员会", "厅", "局", "委", "中心",
                   "院", "署", "部", "办")
_PLACE_SUFFIXES = ("实验区", "开发区", "高新区", "新区", "示范区", "省", "市", "县", "区", "州", "盟", "旗", "镇", "乡")
_ZONE_SUFFIXES = ("实验区", "开发区", "高新区", "新区", "示范区")
_PROVINCES = ("河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北",
              "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾")
# The common short forms of provincial/municipal departments' names -> the official full name
# (only used when the text never prints the full name itself; a body is stored by its full name so
# that its reports pair across years however each year abbreviated it).
_FULL_NAMES = (("人力资源社会保障", "人力资源和社会保障"), ("人社厅", "人力资源和社会保障厅"),
               ("人社局", "人力资源和社会保障局"), ("科技厅", "科学技术厅"), ("科技局", "科学技术局"),
               ("工信厅", "工业和信息化厅"), ("工信局", "工业和信息化局"), ("发改委", "发展和改革委员会"),
               ("住建厅", "住房和城乡建设厅"), ("住建局", "住房和城乡建设局"), ("卫健委", "卫生健康委员会"),
               ("文旅厅", "文化和旅游厅"), ("文旅局", "文化和旅游局"), ("市场监管局", "市场监督管理局"),
               ("应急厅", "应急管理厅"), ("交通厅", "交通运输厅"), ("国资委", "国有资产监督管理委员会"))
_TITLE_AGENCY = re.compile(
    r"(?P<pre>[^\n。,;:!?]{0,40}?)[ \t\u3000]*(?P<year>\d{4})[ \t\u3000]*年[ \t\u3000]*度?[ \t\u3000]*"
    r"(?P<mid>[^\n。,;:!?\d《》]{0,24}?)[ \t\u3000]*(?:政府信息公开|信息公开|政务公开)"
    r"[^\n。,;:!?\d]{0,8}?\n?[^\n。,;:!?\d]{0,6}?(?:报告|年报)"
)
_COMPILED_BY = re.compile(r"由([\u4e00-\u9fff]{3,30}?)(?:根据[^。]{0,80}?)?(?:编制|编写|汇总)")
_PROVINCIAL_ORGAN = re.compile(r"(?:(?:" + "|".join(_PROVINCES) + r")省|(?<![\u4e00-\u9fff])省|(?<=年)省)"
                               r"[\u4e00-\u9fff]{2,10}?(?:办公厅|厅|局|委员会)")


# What a body's name ends with (organ, office, institution, or the place an area government reports for).
_BODY_SUFFIXES = (
    "人民政府", "政府", "办公厅", "办公室", "管委会", "管理委员会", "委员会", "工委", "厅", "局", "委", "中心",
    "院", "署", "部", "办", "所", "站", "馆", "处", "队", "社", "会", "台", "校", "公司", "集团", "办事处",
    "街道", "实验区", "开发区", "高新区", "新区", "示范区", "省", "市", "县", "区", "州", "盟", "旗", "镇", "乡",
)
# Words of a sentence, never of a name: pronouns and determiners, verbs of reporting and working,
# particles, list words ("现将我局", "发布…厅", "…事项无…厅" are fragments, not bodies).
_NOT_IN_NAME = re.compile(
    r"现将|发布|印发|公布|事项|报告|如下|根据|按照|依据|进行|开展|加强|推进|完成|做好|落实|召开|收到|提出|"
    r"通过|及时|全面|主要|情况|工作中|以来|其中|共计|累计|合计|分别|无(?!锡)|[我本该各此其的了是在将对向从为已均等得着过把被让]|"
    r"[0-9０-９〇○]"
)
_NOT_FIRST = ("全", "由", "经", "与", "和", "及", "或", "并", "但", "如", "若", "关于", "今年", "去年")


def is_body_name(text: str) -> bool:
    """Whether ``text`` reads as the name of a body (河北省工业和信息化厅, 平潭综合实验区管委会), not a fragment.

    A name ends with a body's suffix (局/厅/委员会/办公室/政府/中心/院/所/区/县/市…), is a short run of
    Chinese characters (brackets allowed: 中共XX委员会（XX）), and holds none of a sentence's words
    (现将, 发布, 事项, 无, 我/本, 的, 了 …). Used on every agency candidate, the reader's and the model's.
    """
    name = compact(text)
    if not 3 <= len(name) <= 40 or not name.endswith(_BODY_SUFFIXES):
        return False
    if not re.fullmatch(r"[\u4e00-\u9fff（）()·]+", name):
        return False
    if name.startswith(_NOT_FIRST):
        return False
    return _NOT_IN_NAME.search(name) is None


def _is_organ(name: str) -> bool:
    return len(name) >= 3 and name.endswith(_ORGAN_SUFFIXES) and not name.startswith(("我", "本", "该", "各"))


def _is_place(name: str) -> bool:
    return len(name) >= 2 and name.endswith(_PLACE_SUFFIXES) and not name.startswith(("我", "本", "全", "各"))


def _clean_name(raw: str) -> str:
    name = re.split(r"[:：《》\"“”#*\s]", raw.strip())[-1] if raw.strip() else ""
    return re.sub(r"^(?:[\d一二三四五六七八九十]+[、.]|关于)", "", compact(name))


def _title_agency(text: str) -> str | None:
    for m in _TITLE_AGENCY.finditer(text):
        pre = _clean_name(m.group("pre"))
        if not pre:
            line_start = text.rfind("\n", 0, m.start("year"))
            if line_start > 0 and not text[line_start:m.start("year")].strip():
                prev_start = text.rfind("\n", 0, line_start) + 1
                pre = _clean_name(text[prev_start:line_start])
        mid = _clean_name(m.group("mid"))
        for name in (pre, mid):
            if name and (_is_organ(name) or _is_place(name)):
                return name
    return None


def _province(text: str) -> str | None:
    counts = Counter(re.findall("(" + "|".join(_PROVINCES) + ")省", text))
    return f"{counts.most_common(1)[0][0]}省" if counts else None


def _full_name(name: str, text: str) -> str:
    if name.startswith("省"):
        province = _province(text)
        if province:
            name = province + name[1:]
    for short, full in _FULL_NAMES:
        if short in name and full not in name:
            name = name.replace(short, full)
    return name


def _governing_body(place: str, text: str) -> str:
    """The body that reports for an area named only by place (平潭综合实验区 -> 平潭综合实验区管委会)."""
    flat = compact(text)
    counts = Counter(re.findall(re.escape(place) + r"(管委会|管理委员会|人民政府)", flat))
    if counts:
        return place + counts.most_common(1)[0][0]
    return place + ("管委会" if place.endswith(_ZONE_SUFFIXES) else "人民政府")


def _signature_agency(text: str, year: int | None) -> str | None:
    """The body named right before the report's date (河北省教育厅 / 2015年3月23日)."""
    found = _printed_dates(text, year)
    if not found:
        return None
    last = found[-1][0]
    before = text[max(0, last.start() - 60) : last.start()]
    piece = re.split(r"[。;:!?\n]", before.rstrip())[-1] if before.strip() else ""
    if not piece.strip():
        lines = [ln for ln in before.split("\n") if ln.strip()]
        piece = lines[-1] if lines else ""
    name = _clean_name(piece)
    return name if _is_organ(name) else None


def detect_agency(text: str, year: int | None = None) -> str | None:
    """The reporting body as the report names it."""
    name = _title_agency(text)
    if name and _is_place(name) and not _is_organ(name):
        return _governing_body(name, text)
    if name:
        return name
    name = _signature_agency(text, year)
    if name:
        return name
    m = _COMPILED_BY.search(text)
    if m and _is_organ(m.group(1)):
        return m.group(1)
    mentions = Counter(
        _full_name(m.group(), text) for m in _PROVINCIAL_ORGAN.finditer(text) if "政府办公厅" not in m.group()
    )
    if mentions:
        return mentions.most_common(1)[0][0]
    return _self_named(text)


# 我局 / 本厅 / 我委: how a body refers to itself, and the suffix its name then ends with.
_SELF_REFERENCE = re.compile(r"(?:我|本)(局|厅|委|办|院|中心|区|县|市)(?![\u4e00-\u9fff]{0,1}[长员])")
_SELF_SUFFIX = {
    "局": ("局",), "厅": ("厅",), "委": ("委员会", "委"), "办": ("办公室", "办"), "院": ("院",), "中心": ("中心",),
    "区": ("区人民政府", "区政府", "区管委会", "区"),
    "县": ("县人民政府", "县政府", "县"),
    "市": ("市人民政府", "市政府", "市"),
}
_NAMED_BODY = re.compile(
    r"[\u4e00-\u9fff]{2,8}?(?:省|市|县|区|州|旗)[\u4e00-\u9fff]{0,16}?(?:人民政府|政府|办公室|委员会|管委会|局|厅|委|中心|院)"
)


def _self_named(text: str) -> str | None:
    """Where the text says only 我局 / 本厅: the body of that kind the text names most often (its name printed
    somewhere in the body), else None."""
    kinds = Counter(m.group(1) for m in _SELF_REFERENCE.finditer(text))
    if not kinds:
        return None
    suffixes = _SELF_SUFFIX[kinds.most_common(1)[0][0]]
    names: Counter[str] = Counter()
    for m in _NAMED_BODY.finditer(compact(text)):
        name = _clean_name(m.group())
        name = re.sub(r"^(?:经|由|向|在|对|与|和|及|会同|联合|协调|配合)", "", name)
        if name.endswith(suffixes) and is_body_name(name):
            names[name] += 1
    return names.most_common(1)[0][0] if names else None


# ----------------------------------------------------------------- all together
def detect_meta(doc: Document, sections: Sequence[Section]) -> Meta:
    """The ``meta`` block of the record for a loaded report and its sections."""
    text = doc.text
    year = detect_year(text)
    kind = detect_kind(text, sections)
    layout = None if kind == "work_summary" else detect_layout(text, sections, year)
    agency = detect_agency(text, year)
    return Meta(
        agency=agency if agency is not None and is_body_name(agency) else None,  # never a fragment of a sentence
        year=year,
        kind=kind,
        layout=layout,
        published=detect_published(text, year),
    )


__all__ = [
    "detect_agency",
    "detect_kind",
    "detect_layout",
    "detect_meta",
    "detect_published",
    "detect_year",
    "is_body_name",
]
