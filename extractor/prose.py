"""Counts stated in a report's prose: one module for every reader of sentences.

The checker compares these statements with the table cells they describe
(``checks.check_prose_vs_table``, ``checks.check_empty_tables``); the pre-2019
reader fills its keys from them where no statistics table is printed
(``reader.pre2019``). Both read received applications and case counts with
the same patterns (``RECEIVED``, ``CASE_COUNT``, ``NEGATED_CASES``). Each
``Concept`` is a quantity by the phrasings reports use for it; a ``Statement``
is one count of a concept, with the span of its number in ``Document.text``.
What a statement is *about* is decided here, once: another year (去年,
2018年), another body or a subset (各乡镇, 代表), another subject (a 12345
hotline's cases are not disclosure applications), approximate counts (近/约),
and a sentence that denies disclosure-related cases (没有因政府信息公开…行政复议)
states 0 for each kind it names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from extractor.document import Span
from extractor.numbers import Number, as_number, parse_number

__all__ = [
    "APPLICATION_CONCEPTS", "CASE_COUNT", "CASE_KINDS", "CONCEPTS", "NEGATED_CASES", "NOT_APPLICATION", "PROACTIVE",
    "RECEIVED", "RECEIVED_BEFORE", "Concept", "Found", "Statement", "compact_mapped", "pre2019_counts",
    "prose_statements", "sentences", "stat_value",
]


class Statement(BaseModel):
    """One count the prose states: its concept, the number, where it is printed, and the words around it."""

    concept: str
    value: Number
    span: Span
    snippet: str


class Concept:
    """A quantity the prose states, by the phrasings reports use for it; ``stat_label`` is its row label in an
    old statistics table printed in the text, for quantities that have no key of their own."""

    def __init__(self, name: str, patterns: Sequence[str | re.Pattern[str]], stat_label: str | None = None) -> None:
        self.name = name
        self.patterns = [re.compile(p) for p in patterns]
        self.stat_label = re.compile(stat_label) if stat_label else None


# The count in a prose pattern: plain digits only. Parsed by ``extractor.numbers.parse_number``; the pattern
# itself stays this narrow on purpose ("1,295件" is not matched), since widening it changes which statements
# the prose rules find.
_N = r"(?P<n>\d+(?:\.\d+)?)"
_GAP = r"[^,。;:\d、]"  # inside one clause, no other number in between
# The body's count of proactively disclosed information, named as such (主动公开政府信息N条, 主动公开各类
# 信息共N余条) — not any 主动公开…N条 (主动公开政府采购信息25条 is a part, not the total).
PROACTIVE = re.compile(
    r"(?<!应)主动公开(?:了)?(?:政府|各类|各项|相关)*信息(?:总数|总量|数)?(?:共计|累计|合计|共|达|为|达到)*"
    r"(?P<n>\d+)\s*(?:余|多)?条"
)
# What a body received, in the words reports use; ``what`` holds the words between the verb and the count, so
# that another subject's application (复议, 来信, a hotline's) can be told apart (``NOT_APPLICATION``). The
# checker's 收到申请 and the pre-2019 reader's applications.received are these same patterns.
_WHAT = r"[^,。;\d]"  # inside one clause, no number
RECEIVED = (
    # 收到政府信息公开申请3件 / 共受理依申请公开事项1件 / 接收通过邮寄、网络提交的各类…申请共计81件
    re.compile(rf"(?:收到|受理|新收|接收|接到|办理)(?P<what>{_WHAT}{{0,25}}?申请{_WHAT}{{0,8}}?)"
               rf"(?:共计|共|合计|总数|数量)?为?{_N}\s*(?:件|份|个|宗)"),
    # the template's own wording names the applicants: 收到公民、法人和其他组织提交的…申请N件
    re.compile(rf"(?:收到|受理)(?P<what>{_WHAT}{{0,4}}?公民、法人(?:和|或|及)其他组织{_WHAT}{{0,20}}?申请)"
               rf"(?:共计|共|合计)?为?{_N}\s*件"),
)
# 收到2份以信函形式提出的信息公开申请: the count before what was received
RECEIVED_BEFORE = re.compile(rf"(?:收到|受理|接到){_N}\s*(?:件|份|个)(?P<what>{_WHAT}{{0,25}}?)申请")
# Subjects whose counts share the wording of table 三 (办结, 答复, 受理…件) but are not disclosure applications.
_OTHER_SUBJECT = re.compile(
    r"12345|12333|12315|热线|信访|来信来访|工单|诉求|咨询|留言|建议|提案|投诉|举报|政务服务|审批|许可"
)
NOT_APPLICATION = re.compile(r"复议|诉讼|来信|" + _OTHER_SUBJECT.pattern)
# Cases of each kind counted in prose: 行政复议案件共3件 / 处理3件属维持…的行政复议事项 (``what`` as above; it
# neither holds nor starts a list, so 行政诉讼1件、行政复议2件 does not give 复议 the 1).
CASE_KINDS = {"review": "复议", "litigation": "诉讼"}  # 行政复议, 行政诉讼; a denial may shorten them (复议和诉讼)
CASE_COUNT = {
    group: (
        re.compile(rf"行政{kind}(?:申请|案件|事项)?(?:共计|共|合计)?{_N}\s*(?:件|起|宗|个)"),
        re.compile(rf"{_N}\s*(?:件|份|起)(?P<what>(?![和及与或]){_GAP}{{0,20}}?)行政{kind}"),
    )
    for group, kind in CASE_KINDS.items()
}
CONCEPTS: tuple[Concept, ...] = (
    Concept("收到申请", [*RECEIVED, RECEIVED_BEFORE]),
    Concept("自然人申请", [rf"自然人(?:申请|提出)?{_N}件"]),
    Concept("法人或其他组织申请", [rf"法人(?:或|和|及)其他组织(?:申请|提出)?{_N}件"]),
    Concept("上年结转", [rf"(?:上年度?|上一年度?)结转{_GAP}{{0,10}}?{_N}件"]),
    Concept("结转下年", [
        rf"(?:结转|转|顺延)(?:至|到)?(?:下一?年度?|\d{{4}}年度?){_GAP}{{0,10}}?{_N}件",
        rf"{_N}件{_GAP}{{0,6}}?(?:结转|顺延|转)(?:至|到)?下一?年度?",
    ]),
    Concept("办结", [rf"(?<![开理复])(?:办结|答复|办理完毕|作出答复){_GAP}{{0,8}}?{_N}件"]),
    Concept("予以公开及部分公开", [rf"予以公开(?:及|和|与|、)部分公开{_GAP}{{0,6}}?{_N}件"]),
    Concept("予以公开", [rf"(?<![不及和与、])予以公开(?![及和与、]部分){_GAP}{{0,4}}?{_N}件"]),
    Concept("部分公开", [rf"(?<![及和与、])部分公开{_GAP}{{0,4}}?{_N}件"]),
    Concept("不予公开", [rf"不予公开{_GAP}{{0,4}}?{_N}件"]),
    Concept("无法提供", [rf"无法提供{_GAP}{{0,4}}?{_N}件"]),
    Concept("不予处理", [rf"不予处理{_GAP}{{0,4}}?{_N}件"]),
    Concept("其他处理", [rf"其他处理{_GAP}{{0,4}}?{_N}件"]),
    Concept("行政复议", CASE_COUNT["review"]),
    Concept("行政诉讼", CASE_COUNT["litigation"]),
    Concept("制发规范性文件", [rf"(?:制发|印发|出台|制定)(?:了)?(?:行政)?规范性文件(?:共)?{_N}件"]),
    Concept("现行有效规范性文件", [rf"现行有效(?:的)?(?:行政)?规范性文件(?:共)?{_N}件"]),
    Concept("主动公开政府信息", [PROACTIVE]),  # the same words the pre-2019 reader reads
    # Rows of the old statistics table that have no canonical key: read from the table in the text.
    Concept(
        "网站公开政府信息", [rf"网站{_GAP}{{0,2}}(?:公开|发布)(?:政府)?信息{_N}条"],
        stat_label=r"(?:政府)?网站公开(?:政府信息数)?",
    ),
    Concept("政策解读", [rf"政策解读(?:稿件)?{_N}[条篇]"], stat_label=r"政策解读稿件发布数"),
    Concept("新闻发布会", [rf"新闻发布会{_N}次"], stat_label=r"新闻发布会总次数"),
)




def compact_mapped(text: str) -> tuple[str, list[int]]:
    """NFKC text without the spaces that converters put around CJK and digits, with a map back to ``text``.

    A run of spaces between two digits becomes one space (it separates table cells).
    """
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            chars.append(c)
            index.append(i)
    n = len(chars)
    next_solid = [""] * (n + 1)  # the next character that is not a space, from each position
    for k in range(n - 1, -1, -1):
        next_solid[k] = next_solid[k + 1] if chars[k].isspace() else chars[k]
    out: list[str] = []
    out_index: list[int] = []
    for k, c in enumerate(chars):
        if c.isspace() and c != "\n":
            if out and out[-1].isdigit() and next_solid[k + 1].isdigit():
                out.append(" ")
                out_index.append(index[k])
            continue
        out.append(c)
        out_index.append(index[k])
    out_index.append(len(text))
    return "".join(out), out_index


_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})年")
_OTHER_YEAR_WORDS = re.compile(r"去年|同比|较上年|比上年|上一年(?!度?结转)|上年(?!度?结转)")
_OTHER_BODY = re.compile(
    r"清理|代表|各单位|各部门|县直|区直|市直|各乡镇|乡镇|公开办|备案|牵头|起草|各地|各县|全省|全国|下属|所属"
)
APPLICATION_CONCEPTS = frozenset({
    "收到申请", "自然人申请", "法人或其他组织申请", "上年结转", "结转下年", "办结", "予以公开及部分公开",
    "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理",
})
_APPROX = re.compile(r"(?:近|约|超过?|逾|不到|不足)$")
NEGATED_CASES = re.compile(
    r"(?:没有|未|无)(?P<mid>[^。;,\d]{0,20}?)"
    r"(?P<kw>行政复议(?:[、和或及与](?:提起)?(?:行政)?诉讼)?|(?:提起)?行政诉讼)"
    r"(?=案件|事项|申请|情况|等|[。;,]|$)"
)


def _sentences(compact: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in _SENTENCE_END.finditer(compact):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(compact):
        yield start, len(compact)


def stat_value(compact: str, label: re.Pattern[str]) -> Number | None:
    """A row of the old statistics table printed in the text: its label, unit, then the year's number."""
    unit = r"[\s|]*(?:\([^)]{0,40}\))?[\s|]*(?:条|件|篇|次|个|人|万元)[\s|]*"
    pattern = re.compile(label.pattern + unit + _N)
    found = None
    for m in pattern.finditer(compact):
        found = m
    if found is None:
        return None
    value = parse_number(found.group("n"))
    return None if value is None else as_number(value)


def _span(index: list[int], start: int, end: int) -> Span:
    return Span(start=index[start], end=index[end - 1] + 1 if end > start else index[start])


def _clause_before(sentence: str, pos: int) -> str:
    """The part of the sentence's clause before ``pos`` (from the last comma or colon)."""
    head = sentence[:pos]
    cut = max(head.rfind(c) for c in "，,：:")
    return head[cut + 1 :]


def _snippet(sentence: str, start: int, end: int) -> str:
    """The words around a statement, for the finding's ``where``: its clause, at most ~50 characters."""
    lo = max(0, start - 20)
    cut = max(sentence.rfind(c, 0, start) for c in ",:")
    lo = max(lo, cut + 1)
    hi = min(len(sentence), end + 12)
    return ("…" if lo > 0 else "") + sentence[lo:hi] + ("…" if hi < len(sentence) else "")


def _mentions_other_year(sentence: str, pos: int, year: int | None) -> bool:
    head = sentence[:pos]
    if _OTHER_YEAR_WORDS.search(head):
        return True
    if year is None:
        return False
    return any(int(m.group(1)) not in (year, year + 1) for m in _YEAR.finditer(head))





def prose_statements(text: str, year: int | None = None) -> list[Statement]:
    """Counts the prose states of the ``CONCEPTS``, in text order, with the span of each number.

    Skips counts that belong to another year, another body or a subset
    (代表, 各乡镇, 备案, …), approximate counts (近/约/超) and, in a sentence
    that denies disclosure-related cases, the body's general case counts.
    A denial (没有因政府信息公开…行政复议或行政诉讼) states 0 for each kind of case it names.
    """
    compact, index = compact_mapped(text)
    found: list[Statement] = []
    for s_start, s_end in _sentences(compact):
        sentence = compact[s_start:s_end]
        denials = list(NEGATED_CASES.finditer(sentence))
        taken: list[tuple[int, int]] = []
        for concept in CONCEPTS:
            if denials and concept.name in ("行政复议", "行政诉讼"):
                continue
            for pattern in concept.patterns:
                for m in pattern.finditer(sentence):
                    n_start, n_end = m.span("n")
                    if any(a <= n_start < b for a, b in taken):
                        continue
                    clause = _clause_before(sentence, m.start()) + sentence[m.start():n_start]
                    if _OTHER_BODY.search(clause) or _APPROX.search(sentence[:n_start]):
                        continue
                    if sentence[n_end : n_end + 1] in ("余", "多"):  # 400余条: approximate, never compared
                        continue
                    if _mentions_other_year(sentence, m.start(), year):
                        continue
                    if "what" in pattern.groupindex and NOT_APPLICATION.search(m.group("what")):
                        continue  # 收到…行政复议申请, 3件…复议: another subject's count
                    if concept.name in APPLICATION_CONCEPTS and _OTHER_SUBJECT.search(sentence):
                        continue  # 12345热线…办结3786件: the cases of a hotline, not disclosure applications
                    raw = parse_number(m.group("n"))
                    if raw is None:  # too long to be a count (numbers.py says so)
                        continue
                    taken.append((n_start, n_end))
                    found.append(Statement(concept=concept.name, value=as_number(raw),
                                           span=_span(index, s_start + n_start, s_start + n_end),
                                           snippet=_snippet(sentence, m.start(), n_end)))
        for m in denials:
            if _mentions_other_year(sentence, m.start(), year) or _OTHER_BODY.search(m.group(0)):
                continue
            kw = m.group("kw")
            span = _span(index, s_start + m.start(), s_start + m.end())
            snippet = _snippet(sentence, m.start(), m.end())
            if "复议" in kw:
                found.append(Statement(concept="行政复议", value=0, span=span, snippet=snippet))
            if "诉讼" in kw:
                found.append(Statement(concept="行政诉讼", value=0, span=span, snippet=snippet))
    return found





# ------------------------------------------------------------------ the pre-2019 keys
_PRE_SENTENCE_END = re.compile(r"[。;!?\n]|\s{2,}")
_CHANNEL_WORDS = {"letter": "信函", "online": "网上|网络", "in_person": "当面|现场", "fax": "传真"}

_RECEIVED_NONE = (
    re.compile(r"(?:未|没有)(?:收到|受理|接到|发生)(?P<what>[^,。;\d]{0,30}?)申请"),
    re.compile(r"(?:无|没有)(?P<what>[^,。;\d]{0,6}?)依申请公开(?:政府信息)?(?:的)?(?:情况|事项|申请)"),
)
_CHANNELS = {
    key: re.compile(r"(?:" + words + r")(?:提出|提交)?申请(?:的)?" + _N + r"\s*件")
    for key, words in _CHANNEL_WORDS.items()
}
_APPLICATION_DETAILS = {  # counts in the rest of the sentence that states the applications received
    "applications.responses": re.compile(r"(?<!不)答复" + _N + r"\s*件"),
    "applications.completed": re.compile(r"办结" + _N + r"\s*件"),
    "applications.not_this_agency": re.compile(r"不属于本(?:行政)?机关[^,。;\d]{0,8}?" + _N + r"\s*件"),
}
_CASES_BOTH_ZERO = re.compile(
    r"行政复议(?:和|及|与|、)行政诉讼(?:案件)?(?:数量|数)?(?:均为|都为|均是|均)(?:0|零)(?:件|起)?"
)
_CASES_COMBINED = re.compile(r"行政复议(?:和|及|与|、|或)(?:提起)?行政诉讼(?:案件)?(?:共计|共|合计)\d+\s*(?:件|起)")
_DENIED_NONE = re.compile(r"(?:无|没有|未发生)不予公开(?:政府)?信息(?:的)?(?:情况|情形)")
_RESPONSES_NONE = re.compile(r"(?:不存在|没有|无)[^,。;\d]{0,10}?答复(?:处理)?(?:的)?(?:情况|情形)")
_NO_FEE = (re.compile(r"(?:未|没有|无)[^。;]{0,25}?(?:收取|收费)"), re.compile(r"免费(?:为|向)申请人"))


@dataclass
class Found:
    value: Number
    span: Span
    note: str


class _Prose:
    """Values stated in sentences, every reading kept (the caller decides between them)."""

    def __init__(self) -> None:
        self.found: dict[str, list[Found]] = {}

    def count(self, key: str, m: re.Match[str], offset: int, note: str = "") -> None:
        """The number in group ``n`` of ``m``, with the span of its digits."""
        value = parse_number(m.group("n"))
        if value is None:
            return
        span = Span(start=offset + m.start("n"), end=offset + m.end("n"))
        self.found.setdefault(key, []).append(Found(value, span, m.group() + note))

    def none(self, key: str, m: re.Match[str], offset: int, why: str) -> None:
        """A 0 the text states in words; the span is the words."""
        span = Span(start=offset + m.start(), end=offset + m.end())
        self.found.setdefault(key, []).append(Found(0, span, f"{m.group()} ({why})"))


def _pre_sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    pos = start
    for m in _PRE_SENTENCE_END.finditer(text, start, end):
        if m.start() > pos:
            yield pos, m.start()
        pos = m.end()
    if pos < end:
        yield pos, end


def pre2019_counts(text: str, regions: list[tuple[int, int]]) -> dict[str, list[Found]]:
    """Every reading of the pre-2019 keys the prose of ``regions`` states (key -> readings, in text order):
    收到申请N件 and the channels and outcomes in the rest of its sentence, 行政复议/诉讼N件, 未收到…申请
    (a 0 only where the text says none), 未收取费用, 主动公开政府信息N条."""
    prose = _Prose()
    for r_start, r_end in regions:
        for s, e in _pre_sentences(text, r_start, r_end):
            sent = text[s:e]
            _prose_applications(sent, s, prose)
            _prose_cases(sent, s, prose)
            _prose_fees(sent, s, prose)
            _prose_none_answered(sent, s, prose)
            m = PROACTIVE.search(sent)
            if m and "proactive_items" not in prose.found:  # the first statement is the total; later ones split it
                prose.count("proactive_items", m, s)
    return prose.found


def _prose_applications(sent: str, s: int, prose: _Prose) -> None:
    hit = next((m for m in (p.search(sent) for p in RECEIVED) if m), None)
    if hit and NOT_APPLICATION.search(hit.group("what")):
        hit = None
    if hit is None:
        before = RECEIVED_BEFORE.search(sent)
        if before and not NOT_APPLICATION.search(before.group("what")):
            hit = before
            for key, words in _CHANNEL_WORDS.items():
                if re.search(words, before.group("what")):
                    prose.count(f"applications.{key}", before, s, " (all by this channel)")
    if hit is not None:
        prose.count("applications.received", hit, s)
        rest, offset = sent[hit.end() :], s + hit.end()
        for key, pattern in _CHANNELS.items():
            if cm := pattern.search(rest):
                prose.count(f"applications.{key}", cm, offset)
        for key, pattern in _APPLICATION_DETAILS.items():
            if pm := pattern.search(rest):
                prose.count(key, pm, offset)
        return
    for pattern in _RECEIVED_NONE:
        z = pattern.search(sent)
        if z and not NOT_APPLICATION.search(z.group("what")):
            prose.none("applications.received", z, s, "stated as none")
            return


def _prose_cases(sent: str, s: int, prose: _Prose) -> None:
    if "复议" not in sent and "诉讼" not in sent:
        return
    denials = list(NEGATED_CASES.finditer(sent))
    for none in denials:
        if "信息公开" in none.group("mid"):  # 没有因政府信息公开而被提起的行政复议或行政诉讼
            for group, kind in CASE_KINDS.items():
                if kind in none.group("kw"):
                    prose.none(f"{group}.total", none, s, "none related to disclosure")
            return  # other counts in this sentence are not disclosure cases
    if both := _CASES_BOTH_ZERO.search(sent):
        prose.none("review.total", both, s, "stated as none")
        prose.none("litigation.total", both, s, "stated as none")
        return
    if _CASES_COMBINED.search(sent):
        prose.found.setdefault("problem", []).append(
            Found(0, Span(start=s, end=s + len(sent)), "review and litigation given as one combined count")
        )
        return
    for group, (count_re, before_re) in CASE_COUNT.items():
        count, before = count_re.search(sent), before_re.search(sent)
        zero = next((m for m in denials if CASE_KINDS[group] in m.group("kw")), None)
        if count:
            prose.count(f"{group}.total", count, s)
        elif before and not NOT_APPLICATION.search(before.group("what")):
            prose.count(f"{group}.total", before, s)
            if "维持" in before.group("what"):
                prose.count(f"{group}.upheld", before, s, " (all upheld)")
        elif zero:
            prose.none(f"{group}.total", zero, s, "stated as none")


def _prose_none_answered(sent: str, s: int, prose: _Prose) -> None:
    if m := _DENIED_NONE.search(sent):
        prose.none("applications.denied", m, s, "stated as none")
    if m := _RESPONSES_NONE.search(sent):
        prose.none("applications.responses", m, s, "stated as none")


def _prose_fees(sent: str, s: int, prose: _Prose) -> None:
    if "费" not in sent or "支出" in sent:
        return  # 支出: what the body spent, not fees charged to applicants
    m = _NO_FEE[0].search(sent) or _NO_FEE[1].search(sent)
    if m and re.search(r"申请|信息公开", sent):
        prose.none("fees_10k_yuan", m, s, "no fee charged")




def sentences(compact: str) -> Iterable[tuple[int, int]]:
    """Sentence bounds in a ``compact_mapped`` text."""
    return _sentences(compact)
