"""Split a report's text into its numbered sections (一、… with (一)… children).

Reports arrive in every shape: headings on their own lines, headings glued to
the body of a one-line page (``一、总体情况2019年，…``), headings glued to a
flattened table header, headings broken by stray spaces, pages wrapped in site
chrome. The splitter finds heading *candidates* by their number, rejects the
ones that are really statistics-table rows, table-of-contents items or table
cells, keeps the ones whose numbers follow on (一, 二, 三 …; a skipped or
restarted number only for a standard heading), and works out where each printed
heading ends. Everything is linear in the text: candidates come from one regex
pass and each heading looks at most ``_MAX_HEADING`` characters ahead.

``split_sections`` is pure: text in, ``Section`` models out; spans are positions
in that text (``Document.text``).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from extractor.document import Span
from extractor.normalize import compact
from extractor.numbers import parse_cn_numeral
from extractor.record import APPLICATION_ROWS_SINGLE_OTHER

Role = Literal["overview", "active_disclosure", "applications", "review_litigation", "problems", "other"]


class Section(BaseModel):
    """One numbered section; ``children`` are its (一)… sub-sections."""

    heading: str  # as printed in the text (may hold stray spaces or a line break)
    number: str  # 一 / 二 … for top level, (一) / (二) … for level 2, 1 / 2 … for numbered paragraphs
    level: int  # 1 top level, 2 for (一)…
    span: Span  # heading start to the start of the next sibling (or the end of the parent / body)
    heading_span: Span
    role: Role | None = None  # top-level sections only
    children: list[Section] = Field(default_factory=list)

    @property
    def title(self) -> str:
        """The heading without its number and without whitespace (for comparing and matching)."""
        return heading_title(self.heading)


def heading_title(heading: str) -> str:
    """The wording of a heading: whitespace removed, leading number (一、 (一) 1.) removed."""
    return _NUMBER_PREFIX.sub("", compact(heading), count=1)


# ----------------------------------------------------------------- roles
# The six sections of layouts 2019/2021, by wording; pre-2019 headings map
# where they are clearly the same section (概述, 主动公开, 依申请公开, 行政复议和
# 行政诉讼, 存在的问题). Order matters: a fees heading such as 依申请收费及减免
# mentions 依申请 but is not the applications section.
_ROLE_RULES: tuple[tuple[re.Pattern[str], Role | None], ...] = (
    (re.compile(r"复议|诉讼"), "review_litigation"),
    (re.compile(r"存在.{0,6}问题|问题.{0,4}改进|主要问题"), "problems"),
    (re.compile(r"其他需要报告"), "other"),
    (re.compile(r"收费|费用|支出|移交"), None),  # fees, spending, hand-over of documents to archives
    (re.compile(r"依申请|公开申请|收到和处理"), "applications"),
    (re.compile(r"主动公开"), "active_disclosure"),
    (re.compile(r"总体情况|概述|基本情况|概况"), "overview"),
)

# The standard wording of the six 2019/2021 headings (whitespace removed). Only
# such a heading may restart the numbering (Shanghai reports number their
# tables part 一、二、三 again) or skip a number (a lost heading).
_STANDARD = re.compile(
    r"(?:总体情况"
    r"|主动公开政府信息情况"
    r"|收到和处理政府信息公开申请情况"
    r"|(?:因)?政府信息公开(?:工作)?(?:被申请)?行政(?:法)?复议[、和]?(?:提起)?行政诉讼(?:的)?情况"
    r"|(?:政府信息公开(?:工作)?)?存在的主要问题(?:及|和)改进情况"
    r"|其他需要报告的事项)"
)


_STANDARD_FIRST = frozenset("总主收因政存其")  # first characters of _STANDARD: a cheap pre-check


def section_role(title: str) -> Role | None:
    """The standard section a heading's wording stands for, or None."""
    title = compact(title)
    for pattern, role in _ROLE_RULES:
        if pattern.search(title):
            return role
    return None


# ----------------------------------------------------------------- patterns
_CN = "一二三四五六七八九十"
_NUMBER_PREFIX = re.compile(rf"^(?:[{_CN}]{{1,3}}[、.]|[(]?[{_CN}]{{1,3}}[)]|\d{{1,2}}[.、])")
# 一、  二 、  三.   (not 第三、 and not the 二 of 十二、 or 一、二、三)
_TOP_RE = re.compile(rf"(?<![{_CN}第])([{_CN}]{{1,3}})[ \u3000]*(?:、|\.(?!\d))")
# (一)  and  一) with a lost opening bracket
_SUB_RE = re.compile(rf"(?<![第])(\()?([{_CN}]{{1,3}})\)")
# numbered paragraphs of a free-form work summary: 1. 2、 at a line start
_PARA_RE = re.compile(r"(?m)(?:^|(?<=[。:;!?]))[ \t\u3000#*]*(\d{1,2})[.、](?![\d])")
_PARA_TITLE_MAX = 40  # a paragraph title longer than this up to its 。 is a sentence: cut as a heading
_AFTER_NUMBER = re.compile(r"[ \t\u3000]*\n?[ \t\u3000]*")
_INDENT = re.compile(r"[ \t\u3000]*")
_ENUMERATED = ("季", "类", "级", "批")  # 三、四季度, 一、二类: numerals listed, not a heading

_MAX_CELL = 120  # a table cell longer than this is layout, not a statistics table
_MAX_HEADING = 60  # characters a heading may take (stray spaces included)
_SENTENCE_PUNCT = ",。;:!?"
# Words a heading commonly ends on; used only when a heading runs straight into
# its first sentence with nothing in between.
_FINAL_WORDS = (
    "公开", "情况", "建设", "领导", "回应", "措施", "机制", "问题", "管理", "服务", "改进", "解读", "事项", "概述",
)

_CLOSING_WORDS = ("情况", "方面", "概述")

# Rows of table 三 that print 一、二、三、四 (the record's labels) and the vertical
# group label 三、本年度办理结果: never section headings.
_TABLE_ROW_PREFIXES: tuple[str, ...] = tuple(
    heading_title(APPLICATION_ROWS_SINGLE_OTHER[key])[:4]
    for key in ("new_received", "carried_over", "carried_forward")
) + ("本年度办理",)
# Group rows of table 三 that print (一)…(七) with nothing but numbers after them.
_TABLE_SUBROWS = {"予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理", "总计", "其他"}
# A table row: the label is followed by a unit and/or a number (not a year or a date).
_TABLE_LOOK = re.compile(
    r"[ \t\u3000\n]*(?:(?:条|件|个|项|人次|人|次|万元|元)[ \t\u3000\n]+)?[+-]?\d+(?![\d]*[ \u3000]*[年月日号%.\-—–])"
)
_UNIT_CELL = re.compile(r"(?:^|[\s\t])(?:条|件|个|项|人次|人|次|万元|元)[\s\t]+\d", re.MULTILINE)
# A page footer (-5-, — 7 —) printed between a heading and its body is not a table cell.
_PAGE_FOOTER = re.compile(r"[ \t\u3000\n]*[-—–]+[ \u3000]*\d+[ \u3000]*[-—–]+")
# Site chrome after the body of a web page.
_CHROME = re.compile(
    r"附件下载|扫一扫在手机|在手机上查看|打印本页|【打印】|关闭窗口|【关闭】|相关链接|上一篇|下一篇|分享到|"
    r"网站地图|版权所有|主办单位|更多信息请关注|ICP备"
)
_TOC_FILLER = " \t\u3000\n.·…-—0123456789"  # dot leaders and page numbers of a contents page
_BODY_START_MARKERS = re.compile(r"=+\s*正文\s*=+")


def _skip(pattern: re.Pattern[str], text: str, pos: int, end: int | None = None) -> int:
    """Where a run of ``pattern`` (which may be empty) starting at ``pos`` ends."""
    m = pattern.match(text, pos, len(text) if end is None else end)
    return m.end() if m else pos


class _Candidate:
    __slots__ = ("end", "n", "number", "start", "text_start")

    def __init__(self, n: int, number: str, start: int, text_start: int, end: int) -> None:
        self.n, self.number, self.start, self.text_start, self.end = n, number, start, text_start, end


class _Lines:
    """Line boundaries of a text, for O(log n) 'which line is this position on' lookups.

    Per-line facts (is it a markdown table row, does it hold tabs) are computed
    once per line, so a 300 KB one-line page costs one scan, not one per candidate.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._facts: dict[int, tuple[bool, bool]] = {}

    def bounds(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, pos) - 1
        start = self.starts[i]
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return start, end

    def facts(self, line_start: int, line_end: int) -> tuple[bool, bool]:
        """(markdown table row, holds a tab) for the line starting at ``line_start``."""
        cached = self._facts.get(line_start)
        if cached is None:
            first = _skip(_INDENT, self.text, line_start, line_end)
            # a markdown table row: starts with a pipe and has more (a lone leading '|' is debris)
            markdown = self.text.startswith("|", first) and self.text.count("|", first + 1, line_end) >= 1
            cached = (markdown, self.text.find("\t", line_start, line_end) >= 0)
            self._facts[line_start] = cached
        return cached


# ----------------------------------------------------------------- public API
def split_sections(text: str) -> list[Section]:
    """The top-level sections of a report, in order, each with its (一)… children."""
    lines = _Lines(text)
    body = find_body(text)
    tops = _top_level(text, lines, body)
    numbered_paragraphs = False
    if not tops:
        tops = _numbered_paragraphs(text, lines, body)
        numbered_paragraphs = True
    if not tops:
        return []
    end = _body_end(text, tops[-1].end, body.end)
    sections = []
    for i, cand in enumerate(tops):
        stop = tops[i + 1].start if i + 1 < len(tops) else max(end, cand.end)
        section = _make_section(text, cand, stop, level=1)
        if not numbered_paragraphs:
            section.children = _children(text, lines, cand.end, stop)
        sections.append(section)
    return sections


def iter_sections(sections: Iterable[Section]) -> Iterable[Section]:
    """Every section and sub-section, depth first, in text order."""
    for s in sections:
        yield s
        yield from iter_sections(s.children)


def find_role(sections: Iterable[Section], role: Role) -> Section | None:
    """The top-level section with ``role``: the one in standard wording when several share it.

    Shanghai-style reports have a narrative 四、政府信息公开申请情况 and, later, the
    table part 二、收到和处理政府信息公开申请情况; the table is in the standard one.
    """
    matching = [s for s in sections if s.role == role]
    return next((s for s in matching if is_standard_heading(s.title)), matching[0] if matching else None)


def is_standard_heading(title: str) -> bool:
    """Is this (number-less) heading one of the six headings of the 2019/2021 forms, as worded there?"""
    return bool(_STANDARD.fullmatch(compact(title)))


def find_body(text: str) -> Span:
    """Where the report itself is: after a scraper's page header, before trailing site chrome.

    The start skips a crawler's metadata block (``==== 正文 ====``); the end is
    refined by ``split_sections`` once the last heading is known (chrome is only
    looked for after it, so a menu above the body cannot cut the report short).
    """
    start = 0
    m = _BODY_START_MARKERS.search(text, 0, min(len(text), 5000))
    if m:
        start = m.end()
    return Span(start=start, end=len(text))


# ----------------------------------------------------------------- top level
def _top_level(text: str, lines: _Lines, body: Span) -> list[_Candidate]:
    candidates = [c for c in _top_candidates(text, lines, body) if not _is_table_row(text, c)]
    candidates = _drop_lists(text, candidates)
    candidates = _drop_contents_page(text, candidates)
    chosen: list[_Candidate] = []
    last = 0
    for cand in candidates:
        if chosen and cand.start < chosen[-1].end:
            continue  # inside the previous heading
        n = cand.n
        title = compact(text[cand.text_start : cand.end])
        standard = is_standard_heading(title)
        clean = _clean_position(text, lines, cand.start)
        if last == 0 and not clean:
            continue  # the first heading starts a line or a sentence (not the 一 of 统一、)
        if n == last + 1 or (last == 0 and n == 2):
            pass
        elif n == last + 2 and clean and section_role(title) is not None:
            pass  # one heading lost (e.g. 四 missing): accept a recognisable next one
        elif n in (1, last) and last >= 1 and clean and standard and not _repeats(text, chosen, title):
            pass  # numbering restarts (table part of Shanghai reports) or repeats, with a standard heading
        else:
            continue
        chosen.append(cand)
        last = n
    return chosen


def _top_candidates(text: str, lines: _Lines, body: Span) -> Iterable[_Candidate]:
    for m in _TOP_RE.finditer(text, body.start):
        n = parse_cn_numeral(m.group(1))
        if not n or n > 20:
            continue
        if _in_table_line(text, lines, m.start()):
            continue
        text_start = _skip(_AFTER_NUMBER, text, m.end())
        if text_start >= len(text):
            continue
        listed = _TOP_RE.match(text, text_start) or text[text_start + 1 : text_start + 2] in _ENUMERATED
        if text[text_start] in _CN and listed:
            continue  # 一、二、三 enumerations, 三、四季度
        end = _heading_end(text, text_start, len(text))
        if end <= text_start or not re.search(r"[\u4e00-\u9fff]", text[text_start:end]):
            continue
        yield _Candidate(n, m.group(1), m.start(), text_start, end)


def _is_table_row(text: str, cand: _Candidate) -> bool:
    title = compact(text[cand.text_start : cand.end])
    if title.startswith(_TABLE_ROW_PREFIXES):
        return True
    return _looks_like_table_row(text, cand.end)


def _looks_like_table_row(text: str, end: int) -> bool:
    """What follows a label is a unit and/or a count, as in a statistics table (not a year, not a page footer)."""
    return not _PAGE_FOOTER.match(text, end) and bool(_TABLE_LOOK.match(text, end))


def _drop_lists(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop table-of-contents runs: numbered items separated only by ;,、 (本报告包括一、…；二、…)."""
    drop: set[int] = set()
    for a, b in itertools.pairwise(candidates):
        gap = text[a.end : b.start]
        if len(gap) <= 3 and gap.strip() and all(ch in ";,、 \u3000" for ch in gap):
            drop.update((id(a), id(b)))
    return [c for c in candidates if id(c) not in drop]


def _drop_contents_page(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop a table of contents: three or more headings in a row with nothing between them,
    whose wording comes back later as the real headings (目录 pages of PDF reports)."""
    runs: list[list[_Candidate]] = []
    for cand in candidates:
        previous = runs[-1][-1] if runs else None
        if previous and cand.n > previous.n and not text[previous.end : cand.start].strip(_TOC_FILLER):
            runs[-1].append(cand)
        else:
            runs.append([cand])
    drop: set[int] = set()
    for run in runs:
        if len(run) < 3:
            continue
        titles = {_toc_title(text, c) for c in run}
        later = {_toc_title(text, c) for c in candidates if c.start > run[-1].start}
        if len(titles & later) >= 2:
            drop.update(id(c) for c in run)
    return [c for c in candidates if id(c) not in drop]


def _toc_title(text: str, cand: _Candidate) -> str:
    return compact(text[cand.text_start : cand.end]).rstrip(_TOC_FILLER)


def _repeats(text: str, chosen: list[_Candidate], title: str) -> bool:
    return any(compact(text[c.text_start : c.end]) == title for c in chosen)


def _clean_position(text: str, lines: _Lines, pos: int) -> bool:
    """A heading-like position: line start, or after a sentence end, markdown marks or a wide gap."""
    line_start, _ = lines.bounds(pos)
    before = text[max(line_start, pos - 40) : pos]
    stripped = before.rstrip(" \t\u3000")
    if not stripped.strip("#* \t\u3000"):
        return True
    return stripped[-1] in "。;:!?)”\"" or len(before) - len(stripped) >= 1


def _in_table_line(text: str, lines: _Lines, pos: int) -> bool:
    """A markdown table row, or a short cell of a tab-separated (HTML/DOCX) table row."""
    line_start, line_end = lines.bounds(pos)
    markdown, tabbed = lines.facts(line_start, line_end)
    if markdown:
        return True
    if not tabbed:
        return False
    left = text.rfind("\t", max(line_start, pos - _MAX_CELL), pos)
    if left >= 0:
        cell_start = left + 1
    elif pos - line_start <= _MAX_CELL:
        cell_start = line_start
    else:
        return False
    right = text.find("\t", pos, min(line_end, cell_start + _MAX_CELL))
    cell_end = right if right >= 0 else line_end
    return cell_end - cell_start < _MAX_CELL


# ----------------------------------------------------------------- heading extent
def _heading_end(text: str, start: int, limit: int) -> int:
    """Where the heading that starts at ``start`` ends (exclusive).

    Order of evidence: a standard heading glued to what follows ends right
    after its wording; a heading on its own line or followed by a space ends
    there; a heading glued to its first sentence ends at a bracket, a digit,
    a full stop, or (failing those) where the body visibly begins.
    """
    stop = min(limit, start + _MAX_HEADING)
    newline = text.find("\n", start, stop)
    if newline >= 0:
        stop = newline
    seg = text[start:stop]
    if not seg.strip():
        return start
    # a standard heading may be wrapped over two lines by PDF text extraction
    standard = _standard_prefix(text[start : min(limit, start + _MAX_HEADING)])
    ws = re.search(r"[ \t\u3000]", seg)
    first = seg[: ws.start()] if ws else seg
    if standard is not None and standard > len(seg):
        return start + standard
    if standard is not None:
        rest = seg[standard:]
        glued = rest[:1] and not rest[:1].isspace()
        if not glued or not _is_cjk(rest[0]) or len(compact(first)) > 25:
            return start + standard
    if newline >= 0 and _plain(seg) and len(compact(seg)) <= 30:
        return start + len(seg.rstrip())  # alone on its line: stray spaces inside belong to it
    if first and _plain(first) and len(first) <= 25:
        return start + len(first)
    if first and (ws or newline >= 0 or start + len(seg) >= limit) and _clauses(first):
        return start + len(first)  # 一、强化组织领导，健全工作机制 followed by a line break or a gap
    return start + _run_on_end(seg)


def _clauses(segment: str) -> bool:
    """A heading of two short clauses (强化组织领导，健全工作机制): commas only, no sentence of the body."""
    if len(segment) > 30 or any(ch in segment for ch in "。;:!?") or "一是" in segment or _glued_digits(segment):
        return False
    return _body_start(segment) is None


def _plain(segment: str) -> bool:
    """No sentence punctuation, no '一是', no heading wording glued to a number: a heading, not a sentence."""
    return not any(ch in _SENTENCE_PUNCT for ch in segment) and "一是" not in segment and not _glued_digits(segment)


def _standard_prefix(seg: str) -> int | None:
    """Length of ``seg`` (stray spaces included) up to the end of a standard heading at its start."""
    lead = seg.lstrip()
    if not lead or lead[0] not in _STANDARD_FIRST:
        return None
    kept: list[int] = []
    chars: list[str] = []
    for i, ch in enumerate(seg):
        if ch.isspace():
            continue
        chars.append(ch)
        kept.append(i)
        if len(chars) >= 40:
            break
    m = _STANDARD.match("".join(chars))
    return kept[m.end() - 1] + 1 if m else None


def _glued_digits(segment: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff）)]\d", segment))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# How the first sentence of a body begins, where flattened text runs it on after its heading: the body
# itself as subject (我厅, 我局, 本机关), a time adverbial (一年来, 今年, 全年), a preposition opening a
# clause (在…过程中, 根据, 按照, 围绕). Looked for from the third character of the heading on.
_BODY_START = re.compile(
    r"我(?:们|[省市县区厅局委办部院署中镇乡街])|本(?:机关|单位|部门|厅|局|委|办)|"
    r"(?:一|半|近|多)年来|今年|去年|全年|本年度?|年内|"
    r"(?<![存现所实内潜自正好])在(?![线内外于此])|根据|按照|围绕|针对|对照|为(?:了|进一步|深入|切实|全面)"
)


def _body_start(head: str) -> int | None:
    """Where a body sentence starts inside ``head`` (at least two characters in), or None."""
    m = _BODY_START.search(head, 2)
    return m.start() if m else None


def _run_on_end(seg: str) -> int:
    """The end of a heading that runs straight into its body (no line break, no space)."""
    hard = len(seg)
    kind = ""
    for i, ch in enumerate(seg):
        if ch in _SENTENCE_PUNCT or ch in " \t\u3000(":
            hard, kind = i, ch
            break
        if ch.isdigit() and i >= 2 and (_is_cjk(seg[i - 1]) or seg[i - 1] in ")）"):
            hard, kind = i, "digit"
            break
    listed = seg.find("一是", 2, hard)  # 存在问题|一是人才梯队…: an enumeration starts the body
    if listed > 0:
        return listed
    head = seg[:hard]
    body = _body_start(head)
    if body is not None:
        return body  # 经验做法|在依法行政过程中, 工作亮点|一年来, 存在问题及改进措施|我厅依法行政…
    if kind in ("(", "digit", " ", "\t", "\u3000") and len(head) <= 30:
        return hard
    if kind == "。" and len(head) <= 16:
        return hard
    for word in _CLOSING_WORDS:  # 基本情况|今年，我区…: these words only ever close a heading
        i = head.find(word, 2)
        if i >= 0 and len(head) - (i + len(word)) >= 1:
            return i + len(word)
    if len(head) <= 8:
        return hard
    again = head.find(head[:2], 6)
    if again > 0:
        return again  # 落实制度要求加强政务公开工作领导|落实加强…: the body restates the heading
    best = None
    for word in _FINAL_WORDS:
        i = head.find(word, 4)
        while i >= 0 and i + len(word) < 6:
            i = head.find(word, i + 1)
        if i >= 0 and len(head) - (i + len(word)) >= 2:
            best = i + len(word) if best is None else min(best, i + len(word))
    return best if best is not None else hard


# ----------------------------------------------------------------- children and the rest
def _children(text: str, lines: _Lines, start: int, stop: int) -> list[Section]:
    chosen: list[_Candidate] = []
    last = 0
    for m in _SUB_RE.finditer(text, start, stop):
        n = parse_cn_numeral(m.group(2))
        if not n or n != last + 1 or (chosen and m.start() < chosen[-1].end):
            continue
        if m.group(1) is None and not _clean_position(text, lines, m.start()):
            continue  # 一) without its bracket only where a heading can start
        if _in_table_line(text, lines, m.start()):
            continue
        text_start = _skip(_AFTER_NUMBER, text, m.end())
        end = _heading_end(text, text_start, stop)
        title = compact(text[text_start:end])
        if not title or title in _TABLE_SUBROWS:
            continue
        if title.endswith(("数", "数量")) and _UNIT_CELL.search(text, end, min(stop, end + 80)):
            continue  # (一)主动公开政府信息数 / 条 / 1683: a row of the old statistics table
        if _looks_like_table_row(text, end):
            continue
        chosen.append(_Candidate(n, f"({m.group(2)})", m.start(), text_start, end))
        last = n
    sections = []
    for i, cand in enumerate(chosen):
        sub_stop = chosen[i + 1].start if i + 1 < len(chosen) else stop
        sections.append(_make_section(text, cand, sub_stop, level=2))
    return sections


def _numbered_paragraphs(text: str, lines: _Lines, body: Span) -> list[_Candidate]:
    """Free-form work summaries: 1. 2. 3. paragraphs at line starts stand in for sections."""
    chosen: list[_Candidate] = []
    last = 0
    for m in _PARA_RE.finditer(text, body.start):
        n = int(m.group(1))
        if n != last + 1:
            continue
        text_start = _skip(_AFTER_NUMBER, text, m.end())
        end = _paragraph_title_end(text, text_start)
        if end <= text_start:
            continue
        chosen.append(_Candidate(n, m.group(1), m.start(1), text_start, end))
        last = n
    return chosen if len(chosen) >= 2 else []


def _paragraph_title_end(text: str, start: int) -> int:
    """A numbered paragraph's title is its text up to the first 。 (1.政府工作做到公开透明。…), on its line."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    stop = text.find("。", start, min(line_end, start + _PARA_TITLE_MAX + 1))
    if stop > start:
        return stop
    return _heading_end(text, start, len(text))


def _body_end(text: str, after: int, end: int) -> int:
    m = _CHROME.search(text, after, end)
    stop = m.start() if m else end
    while stop > after and text[stop - 1].isspace():
        stop -= 1
    return stop


def _make_section(text: str, cand: _Candidate, stop: int, level: int) -> Section:
    heading = text[cand.start : cand.end]
    end = max(stop, cand.end)
    return Section(
        heading=heading,
        number=cand.number,
        level=level,
        span=Span(start=cand.start, end=end),
        heading_span=Span(start=cand.start, end=cand.end),
        # Roles name the six standard parts of a report; a sub-section such as 一(一)主动公开方面
        # is prose inside 总体情况, not the part that holds table 二, so it gets none.
        role=section_role(heading_title(heading)) if level == 1 else None,
    )
