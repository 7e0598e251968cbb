"""Read a pre-2019 report: the old national statistics table and the counts stated in prose.

Two sources, in this order of trust:

1. The statistics table (统计指标 | 单位 | 统计数, or the Fujian variant with a
   年度 and a 历年累计 column). It arrives in every shape a scraper leaves:
   tab-separated rows, one cell per line, space-separated runs, or cells
   glued together with no separator at all (``主动公开信息数条4251516``).
   Rows are found by their printed labels; the cells after a label are read
   up to the next label. Where cells ran together, every way of splitting
   the digits is kept and the identities of spec §3 (parts add up to their
   total, in every column) choose; what they cannot decide stays ``None``
   with a problem line.
2. Prose: 收到申请N件, 行政复议N件, 未收到…申请 (a 0 only where the text
   says none), 未收取费用. Prose fills what the table does not give; where
   both give a value and they differ, the table wins and the difference is
   reported as a problem.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from extractor.document import Document, Span
from extractor.numbers import parse_number
from extractor.reader.splitting import Run, split_run
from extractor.readings import Evidence, Reading
from extractor.record import (
    PRE2019_APPLICATIONS,
    PRE2019_CASE_GROUPS,
    PRE2019_CHANNELS,
    PRE2019_RESPONSE_OUTCOMES,
    Number,
    Pre2019,
    Record,
)
from extractor.sections import Section

__all__ = ["grid_table", "label_key", "read_pre2019"]

# ------------------------------------------------------------------ row labels
# Printed label -> dotted key under ``pre2019`` (or ``aux.*``: rows without a
# canonical key that still take part in an identity, or ``case.*``: outcome rows
# whose group is the 行政复议 / 行政诉讼 row printed above them).
_LABELS: dict[str, str] = {
    "主动公开政府信息数": "proactive_items",
    "主动公开信息数": "proactive_items",
    **{label: f"applications.{key}" for key, label in PRE2019_APPLICATIONS.items()},
    "受理依申请公开信息总数": "applications.received",
    "依申请公开信息总数": "applications.received",
    "网上申请数": "applications.online",
    "其它形式申请数": "applications.other_channel",
    "申请办结数": "applications.completed",
    "对申请的答复数": "applications.responses",
    "对申请的答复总数": "applications.responses",
    "否决公开答复数": "applications.denied",
    "电子邮件申请数": "aux.email",
    "按时办结数": "aux.on_time",
    "延期办结数": "aux.delayed",
    "网站公开": "aux.web",
    "政府公报公开": "aux.gazette",
    # longer labels that contain the two above but belong to another row group
    "政府网站公开政府信息数": "aux.site_channel",
    "政府公报公开政府信息数": "aux.gazette_channel",
    "行政复议数量": "review.total",
    "行政复议数": "review.total",
    "行政诉讼数量": "litigation.total",
    "行政诉讼数": "litigation.total",
    "举报投诉数量": "complaints.total",
    "被举报投诉数量": "complaints.total",
    "被举报投诉数": "complaints.total",
    "行政申诉数": "complaints.total",
    "行政申诉、举报数": "complaints.total",
    "维持具体行政行为数": "case.upheld",
    "维护具体行政行为或者驳回原告诉讼请求数": "case.upheld",
    "被依法纠错数": "case.corrected",
    "其他情形数": "case.other",
    "依申请公开信息收取的费用": "fees_10k_yuan",
}

# parent -> parts; a parent equals the sum of the parts printed (in every value column).
_IDENTITIES: dict[str, tuple[str, ...]] = {
    "proactive_items": ("aux.web", "aux.gazette"),
    "applications.received": (*(f"applications.{c}" for c in PRE2019_CHANNELS), "aux.email"),
    "applications.completed": ("aux.on_time", "aux.delayed"),
    "applications.responses": tuple(f"applications.{o}" for o in PRE2019_RESPONSE_OUTCOMES),
    **{f"{g}.total": (f"{g}.upheld", f"{g}.corrected", f"{g}.other") for g in PRE2019_CASE_GROUPS},
}

_UNITS = ("万元", "人次", "条", "件", "次", "个", "人", "篇", "项", "份", "元", "期")
_ANCHOR = re.compile(r"(?:统计指标|指标名称)\s*(?:计量)?\s*单\s*位")
_TITLE_ANCHOR = re.compile(r"信息公开[^,。;\n]{0,6}统计表")
_COLUMN_HEAD = re.compile(r"\d{4}\s*年度?|历年累计|累计数?|统计数")
_ENUM_PUNCT = ".、．"


def _label_regex() -> re.Pattern[str]:
    """Every label, longest first, with optional whitespace between characters (cells split by layout)."""
    alts = []
    for label in sorted(_LABELS, key=len, reverse=True):
        alts.append(r"\s*".join(re.escape(ch) for ch in label))
    return re.compile("|".join(alts))


_LABEL_RE = _label_regex()
_WS = re.compile(r"\s+")


def label_key(label: str) -> str | None:
    """The key a printed row label names (``case.*``: an outcome row of the group printed above), or None."""
    m = _LABEL_RE.search(label)
    return _LABELS.get(_norm_label(m.group())) if m else None


# ------------------------------------------------------------------ table reading
@dataclass
class _Row:
    key: str
    label_span: Span
    # every reading of the row's cells still possible: a tuple of values per value column
    candidates: list[tuple[Number | None, ...]]
    spans: list[tuple[Span | None, ...]]
    digits: str | None = None  # the run the cells were cut from, when they ran together
    chosen_by: str | None = None  # the identity that picked the cut


@dataclass
class _Table:
    rows: dict[str, _Row] = field(default_factory=dict)
    span: Span | None = None
    columns: int = 1
    glued: bool = False
    problems: list[str] = field(default_factory=list)


def _norm_label(raw: str) -> str:
    return _WS.sub("", raw)


_NOTE_RE = re.compile(r"\s*\([^()]{0,80}\)", re.S)
_UNIT_CELL_RE = re.compile(r"(\s*)(" + "|".join(_UNITS) + r")(\s*)")
_RUN_RE = re.compile(r"(\s*)(\d+(?:\.\d+)?)")
_ROW_NUMBER_RE = re.compile(r"(\d{1,2})\s*[.、．]\s*$")
_MAX_COMBINATIONS = 200_000  # beyond this the identities are not worth enumerating


def _skip_preamble(text: str, pos: int, end: int) -> tuple[int, bool]:
    """Skip notes in brackets and the unit after a label; say whether the unit touched the label and digits."""
    while True:
        m = _NOTE_RE.match(text, pos, end)
        if not m:
            break
        pos = m.end()
    glued = False
    m = _UNIT_CELL_RE.match(text, pos, end)
    if m:
        glued = m.group(1) == "" and m.group(3) == "" and m.end() < end and text[m.end()].isdigit()
        pos = m.end()
    return pos, glued


def _read_runs(text: str, pos: int, end: int) -> tuple[list[tuple[str, int]], bool]:
    """Leading digit runs of a cell segment, and whether the last one runs into a row number (``…15092.``)."""
    runs: list[tuple[str, int]] = []
    while True:
        m = _RUN_RE.match(text, pos, end)
        if not m:
            break
        runs.append((m.group(2), m.start(2)))
        pos = m.end()
    enum = bool(runs) and pos < len(text) and text[pos] in _ENUM_PUNCT and not (
        pos + 1 < len(text) and text[pos + 1].isdigit()
    )
    return runs, enum


def _tab_cells(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The value cells of a tab-separated row (a real table): a blank cell stays blank, in its column."""
    cells: list[tuple[str, int]] = []
    pos = start
    for n, cell in enumerate(text[start:end].split("\t")):
        stripped = cell.strip()
        at = pos + (cell.find(stripped) if stripped else 0)
        pos += len(cell) + 1
        if n == 0 or (n == 1 and stripped in _UNITS):
            continue  # the rest of the label cell, and the unit cell
        cells.append((stripped, at))
    return cells


def _find_table(text: str) -> _Table | None:
    anchor = _ANCHOR.search(text)
    if anchor is None:
        # no header row: take the table title, the last one that has labelled rows after it
        titles = list(_TITLE_ANCHOR.finditer(text))
        anchor = titles[-1] if titles else None
    if anchor is None:
        return None
    hits = [m for m in _LABEL_RE.finditer(text, anchor.start()) if _norm_label(m.group()) in _LABELS]
    if len(hits) < 3:
        return None
    # the column heads are printed between the header's 单位 and the first row
    head = text[anchor.start() : hits[0].start()]
    head = head[head.rfind("单位") + 2 :] if "单位" in head else head[-40:]
    columns = max(1, len(_COLUMN_HEAD.findall(head)))
    cumulative = "累计" in head
    table = _Table(columns=columns, span=Span(start=anchor.start(), end=hits[-1].end()))
    segments: list[tuple[str, re.Match[str], list[tuple[str, int]], bool, int]] = []
    glued_votes = 0
    last_enum = 0
    group = None  # review / litigation, for the outcome rows printed under them
    for i, m in enumerate(hits):
        key = _LABELS[_norm_label(m.group())]
        if key in ("review.total", "litigation.total"):
            group = key.split(".")[0]
        elif key == "complaints.total":
            group = None
        elif key.startswith("case."):
            key = f"{group}.{key.split('.')[1]}" if group else ""
        # row numbers printed before a label: 其中:1. / 2、 ; reset after 其中
        before = text[max(0, m.start() - 6) : m.start()]
        em = _ROW_NUMBER_RE.search(before)
        if "其中" in before:
            last_enum = 0
        if em and not re.search(r"\d{3,}\s*[.、．]\s*$", before):
            last_enum = int(em.group(1))
        seg_end = hits[i + 1].start() if i + 1 < len(hits) else min(len(text), m.end() + 60)
        pos, glued = _skip_preamble(text, m.end(), seg_end)
        glued_votes += glued
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if "\t" in text[m.end() : line_end]:
            runs, enum = _tab_cells(text, m.end(), line_end), False
        else:
            runs, enum = _read_runs(text, pos, seg_end)
        segments.append((key, m, runs, enum, last_enum))
        if runs:
            table.span = Span(start=table.span.start, end=max(table.span.end, runs[-1][1] + len(runs[-1][0])))
    table.glued = glued_votes * 2 >= len(hits)
    for key, m, runs, enum, last in segments:
        if not key or key in table.rows:
            continue  # an outcome row with no group above it, or a label printed twice
        table.rows[key] = _read_row(key, m, runs, enum, last, table, cumulative)
    _resolve(table)
    return table


def grid_table(rows: Iterable[tuple[str, Span, Number | None, Span | None]], span: Span) -> _Table:
    """The statistics table as read from the file's own grid: per row its key, label span and the
    value of the reported year's column (None: a blank cell) with the cell's span."""
    table = _Table(span=span)
    for key, label_span, value, cell_span in rows:
        if key not in table.rows:
            table.rows[key] = _Row(key=key, label_span=label_span, candidates=[(value,)], spans=[(cell_span,)])
    return table


def _read_row(
    key: str,
    m: re.Match[str],
    runs: list[tuple[str, int]],
    enum: bool,
    last_enum: int,
    table: _Table,
    cumulative: bool,
) -> _Row:
    """The candidate readings of one row from the digit runs after its label."""
    runs = list(runs)
    if enum and runs:
        digits, start = runs[-1]
        standalone = len(runs) > 1 or not table.glued
        if standalone and len(digits) <= 2:
            runs.pop()  # the next row's number, printed as its own token
        else:
            expected = str(last_enum + 1)
            cut = len(expected) if digits.endswith(expected) and len(digits) > len(expected) else 1
            runs[-1] = (digits[:-cut], start)
            if not runs[-1][0]:
                runs.pop()
    label_span = Span(start=m.start(), end=m.end())
    k = table.columns
    if not any(d for d, _ in runs):
        return _Row(key=key, label_span=label_span, candidates=[(None,) * k], spans=[(None,) * k])
    if table.glued and len(runs) == 1 and k > 1:
        digits, start = runs[0]
        cands, spans = [], []
        for pieces in split_run(Run(text=digits, span=Span(start=start, end=start + len(digits))), k):
            values = tuple(p.value for p in pieces)
            if cumulative and k == 2 and values[0] > values[1]:
                continue  # the year's count cannot exceed the running total
            spans.append(tuple(p.span for p in pieces))
            cands.append(values)
        if not cands:  # too few digits to fill every column: first column only
            cands = [(parse_number(digits),) + (None,) * (k - 1)]
            spans = [(Span(start=start, end=start + len(digits)),) + (None,) * (k - 1)]
        return _Row(key=key, label_span=label_span, candidates=cands, spans=spans, digits=digits)
    values = [parse_number(d) if d else None for d, _ in runs[:k]] + [None] * max(0, k - len(runs))
    spans_ = [Span(start=s, end=s + len(d)) if d else None for d, s in runs[:k]] + [None] * max(0, k - len(runs))
    return _Row(key=key, label_span=label_span, candidates=[tuple(values)], spans=[tuple(spans_)])


def _resolve(table: _Table) -> None:
    """Prune the readings of glued rows with the identities until nothing changes."""
    changed = True
    while changed:
        changed = False
        for parent, parts in _IDENTITIES.items():
            members = [k for k in (parent, *parts) if k in table.rows]
            if parent not in table.rows or len(members) < 3:
                continue
            rows = [table.rows[k] for k in members]
            if all(len(r.candidates) == 1 for r in rows):
                continue
            if math.prod(len(r.candidates) for r in rows) > _MAX_COMBINATIONS:
                table.problems.append(f"pre2019 table: too many ways to cut the digits around {parent}")
                continue
            keep: list[set[int]] = [set() for _ in rows]
            for combo in itertools.product(*(range(len(r.candidates)) for r in rows)):
                vals = [rows[i].candidates[c] for i, c in enumerate(combo)]
                ok = True
                for col in range(table.columns):
                    column = [v[col] for v in vals]
                    if column[0] is None or any(x is None for x in column[1:]):
                        continue
                    if column[0] != sum(column[1:]):
                        ok = False
                        break
                if ok:
                    for i, c in enumerate(combo):
                        keep[i].add(c)
            if not any(keep):
                table.problems.append(f"pre2019 table: {parent} does not equal the sum of its parts in any reading")
                continue
            for row, kept in zip(rows, keep):
                if len(kept) < len(row.candidates):
                    row.candidates = [c for i, c in enumerate(row.candidates) if i in kept]
                    row.spans = [s for i, s in enumerate(row.spans) if i in kept]
                    row.chosen_by = f"only this cut makes {parent} the sum of its parts"
                    changed = True


# ------------------------------------------------------------------ prose reading
_N = r"(?P<n>\d+)"
_SENTENCE_END = re.compile(r"[。;!?\n]|\s{2,}")
_NOT_APPLICATION = re.compile(r"复议|诉讼|诉求|审批|咨询|举报|投诉|信访|留言|来信")
_CHANNEL_WORDS = {"letter": "信函", "online": "网上|网络", "in_person": "当面|现场", "fax": "传真"}

# 收到政府信息公开申请3件 / 共收到信息公开申请3件 / 受理政府信息依申请公开30件
_RECEIVED = re.compile(
    r"(?:收到|受理|接到|接收)(?P<what>[^,。;\d]{0,25}?申请[^,。;\d]{0,8}?)(?:共计|共|合计)?" + _N + r"\s*(?:件|份|个|宗)"
)
# 收到2份以信函形式提出的信息公开申请
_RECEIVED_BEFORE = re.compile(r"(?:收到|受理|接到)" + _N + r"\s*(?:件|份|个)(?P<what>[^,。;\d]{0,25}?)申请")
_RECEIVED_NONE = (
    re.compile(r"(?:未|没有)(?:收到|受理|接到|发生)(?P<what>[^,。;\d]{0,30}?)申请"),
    re.compile(r"(?:无|没有)(?P<what>[^,。;\d]{0,6}?)依申请公开(?:政府信息)?(?:的)?(?:情况|事项|申请)"),
)
_CHANNELS = {
    key: re.compile(r"(?:" + words + r")(?:提出|提交)?申请(?:的)?" + _N + r"\s*件") for key, words in _CHANNEL_WORDS.items()
}
_APPLICATION_DETAILS = {  # counts in the rest of the sentence that states the applications received
    "applications.responses": re.compile(r"(?<!不)答复" + _N + r"\s*件"),
    "applications.completed": re.compile(r"办结" + _N + r"\s*件"),
    "applications.not_this_agency": re.compile(r"不属于本(?:行政)?机关[^,。;\d]{0,8}?" + _N + r"\s*件"),
}
# 没有因政府信息公开而被提起的行政复议或行政诉讼: the sentence's other counts are not disclosure cases
_CASES_NONE_FOR_DISCLOSURE = re.compile(
    r"(?:没有|无|未)(?:因|涉及)[^,。;]{0,10}?信息公开[^,。;]{0,12}?(?:行政复议|行政诉讼)[^,。;]{0,8}"
)
_CASES_BOTH_ZERO = re.compile(r"行政复议(?:和|及|与|、)行政诉讼(?:案件)?(?:数量|数)?(?:均为|都为|均是|均)(?:0|零)(?:件|起)?")
_CASES_COMBINED = re.compile(r"行政复议(?:和|及|与|、|或)(?:提起)?行政诉讼(?:案件)?(?:共计|共|合计)\d+\s*(?:件|起)")
_CASES = {
    group: (
        re.compile(r"(?:无|未|没有)(?:收到|受理|发生|产生|出现)?[^,。;\d]{0,15}?" + word + r"(?!纠错|被纠错|败诉)"),
        re.compile(word + r"(?:申请|案件|事项)?(?:共计|共)?" + _N + r"\s*(?:件|起|宗|个)"),
        re.compile(_N + r"\s*(?:件|份|起)(?P<what>[^,。;\d]{0,20}?)" + word),
    )
    for group, word in (("review", "行政复议"), ("litigation", "行政诉讼"))
}
_DENIED_NONE = re.compile(r"(?:无|没有|未发生)不予公开(?:政府)?信息(?:的)?(?:情况|情形)")
_RESPONSES_NONE = re.compile(r"(?:不存在|没有|无)[^,。;\d]{0,10}?答复(?:处理)?(?:的)?(?:情况|情形)")
_NO_FEE = (re.compile(r"(?:未|没有|无)[^。;]{0,25}?(?:收取|收费)"), re.compile(r"免费(?:为|向)申请人"))
_PROACTIVE = re.compile(r"主动公开[^,。;]{0,8}?信息(?:总数)?(?:共计|累计|共|为)?" + _N + r"(?:余|多)?条")


@dataclass
class _Found:
    value: Number
    span: Span
    note: str


class _Prose:
    """Values stated in sentences, every reading kept (the caller decides between them)."""

    def __init__(self) -> None:
        self.found: dict[str, list[_Found]] = {}

    def count(self, key: str, m: re.Match[str], offset: int, note: str = "") -> None:
        """The number in group ``n`` of ``m``, with the span of its digits."""
        span = Span(start=offset + m.start("n"), end=offset + m.end("n"))
        self.found.setdefault(key, []).append(_Found(parse_number(m.group("n")), span, m.group() + note))

    def none(self, key: str, m: re.Match[str], offset: int, why: str) -> None:
        """A 0 the text states in words; the span is the words."""
        span = Span(start=offset + m.start(), end=offset + m.end())
        self.found.setdefault(key, []).append(_Found(0, span, f"{m.group()} ({why})"))


def _sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.start() > pos:
            yield pos, m.start()
        pos = m.end()
    if pos < end:
        yield pos, end


def _prose(text: str, regions: list[tuple[int, int]]) -> dict[str, list[_Found]]:
    prose = _Prose()
    for r_start, r_end in regions:
        for s, e in _sentences(text, r_start, r_end):
            sent = text[s:e]
            _prose_applications(sent, s, prose)
            _prose_cases(sent, s, prose)
            _prose_fees(sent, s, prose)
            _prose_none_answered(sent, s, prose)
            m = _PROACTIVE.search(sent)
            if m and "proactive_items" not in prose.found:  # the first statement is the total; later ones split it
                prose.count("proactive_items", m, s)
    return prose.found


def _prose_applications(sent: str, s: int, prose: _Prose) -> None:
    hit = _RECEIVED.search(sent)
    if hit and _NOT_APPLICATION.search(hit.group("what")):
        hit = None
    if hit is None:
        before = _RECEIVED_BEFORE.search(sent)
        if before and not _NOT_APPLICATION.search(before.group("what")):
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
        if z and not _NOT_APPLICATION.search(z.group("what")):
            prose.none("applications.received", z, s, "stated as none")
            return


def _prose_cases(sent: str, s: int, prose: _Prose) -> None:
    if "复议" not in sent and "诉讼" not in sent:
        return
    if none := _CASES_NONE_FOR_DISCLOSURE.search(sent):
        for group, word in (("review", "复议"), ("litigation", "诉讼")):
            if word in none.group():
                prose.none(f"{group}.total", none, s, "none related to disclosure")
        return  # other counts in this sentence are not disclosure cases
    if both := _CASES_BOTH_ZERO.search(sent):
        prose.none("review.total", both, s, "stated as none")
        prose.none("litigation.total", both, s, "stated as none")
        return
    if _CASES_COMBINED.search(sent):
        prose.found.setdefault("problem", []).append(
            _Found(0, Span(start=s, end=s + len(sent)), "review and litigation given as one combined count")
        )
        return
    for group, (zero_re, count_re, before_re) in _CASES.items():
        zero, count, before = zero_re.search(sent), count_re.search(sent), before_re.search(sent)
        if count:
            prose.count(f"{group}.total", count, s)
        elif before and not re.search(r"复议|诉讼", before.group("what")):
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


# ------------------------------------------------------------------ assembly
def _set(record_pre: Pre2019, key: str, value: Number | None) -> None:
    target = record_pre
    *path, leaf = key.split(".")
    for part in path:
        target = getattr(target, part)
    setattr(target, leaf, value)


def _row_note(row: _Row) -> str:
    note = "statistics table"
    if row.digits is not None:
        cut = "|".join("" if v is None else str(v) for v in row.candidates[0])
        note += f"; digits '{row.digits}' ran together, cut as {cut}"
        if row.chosen_by:
            note += f" (chosen because {row.chosen_by})"
    return note


def _choose_reading(key: str, row: _Row, stated: list[_Found]) -> tuple[Number | None, Span | None, str] | None:
    """The row's value in the reported year's column, or None when its readings still disagree.

    Readings that agree on that column decide it; else a single count the prose
    states for the same key picks the reading that prints it.
    """
    firsts = {c[0] for c in row.candidates}
    if len(firsts) == 1:
        return row.candidates[0][0], row.spans[0][0], _row_note(row)
    said = {f.value for f in stated}
    matching = [i for i, c in enumerate(row.candidates) if c[0] in said]
    if len(said) == 1 and len(matching) == 1:
        i = matching[0]
        row.candidates, row.spans = [row.candidates[i]], [row.spans[i]]
        row.chosen_by = f"the prose states {row.candidates[0][0]}"
        return row.candidates[0][0], row.spans[0][0], _row_note(row)
    return None


def read_pre2019(doc: Document, sections: list[Section] | None = None, grid: _Table | None = None) -> Reading:
    """The ``pre2019`` block of the record, with the span of every value.

    ``sections`` is accepted for the reader facade's uniform call; the table
    and the prose patterns are found in the whole text. ``grid``: the
    statistics table as the file's own grid gives it (``grid_table``), read
    instead of the table found in the text.
    """
    text = doc.text
    pre = Pre2019()
    evidence: dict[str, Evidence] = {}
    problems: list[str] = []
    table_values: dict[str, Number] = {}

    table = _find_table(text) if grid is None else grid
    regions = [(0, len(text))]
    if table is not None and table.span is not None:
        regions = [(0, table.span.start), (table.span.end, len(text))]
    prose = _prose(text, regions)
    for item in prose.pop("problem", []):
        problems.append(f"prose: {item.note} ('{item.span.slice(text)[:60]}'); review/litigation left blank")

    if table is not None:
        problems += table.problems
        for key, row in table.rows.items():
            if key.startswith("aux."):
                continue
            choice = _choose_reading(key, row, prose.get(key, []))
            if choice is None:
                readings = ", ".join(str(c[0]) for c in row.candidates)
                problems.append(f"pre2019.{key}: digits ran together and the identities leave {readings}; left blank")
                continue
            value, span, note = choice
            if value is None:
                continue
            if key != "fees_10k_yuan" and not isinstance(value, int):
                problems.append(f"pre2019.{key}: the table prints {value}, not a count; left blank")
                continue
            _set(pre, key, value)
            table_values[key] = value
            evidence[f"pre2019.{key}"] = Evidence(
                value=value, span=span, engine="reader", note=note, read_from="grid" if grid is not None else "text"
            )

    for key, items in prose.items():
        values = {f.value for f in items}
        path = f"pre2019.{key}"
        if key in table_values:
            if values != {table_values[key]}:
                problems.append(
                    f"{path}: prose says {sorted(values)} but the statistics table says {table_values[key]}; table kept"
                )
            continue
        if len(values) > 1:
            problems.append(f"{path}: prose gives conflicting values {sorted(values)}; left blank")
            continue
        first = items[0]
        _set(pre, key, first.value)
        evidence[path] = Evidence(value=first.value, span=first.span, engine="reader", note=f"prose: {first.note}")

    return Reading(engine="reader", record=Record(pre2019=pre), evidence=evidence, problems=problems)
