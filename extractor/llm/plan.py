"""Which requests one report needs: the sections, the task for each, and the text they carry.

Never the whole report in one call: meta from the opening lines (+ 总体情况)
and the closing lines, tables 二/三/四 each from their own section, the
statistics of a pre-2019 report from the sections that hold them, and claims
from the prose in chunks of numbered paragraphs (a work summary is all prose).
A chunk with fewer than two printed numbers cannot hold a claim and is not sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from extractor.document import Document, Span
from extractor.llm.quotes import compact, has_digit, locate, value_span
from extractor.llm.schemas import application_rows_for
from extractor.numbers import iter_numbers
from extractor.record import (
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    PRE2019_LABELS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    Meta,
    active_disclosure_spec,
)

TABLE_TASKS: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation")
PROSE_ROLES: frozenset[str | None] = frozenset({"overview", "problems", "other", None})
CHUNK_CHARS = 1800  # prose per claims request: a few numbered paragraphs
META_HEAD_CHARS = 2000  # from the top: the title, a page header (发布时间…), the opening paragraphs
META_TAIL_CHARS = 300
_GAP = "\n……\n"


class SectionLike(Protocol):
    """What the engine needs of ``extractor.sections.Section``."""

    # Read-only (properties): a mutable protocol attribute would have to match Section's types exactly.
    @property
    def heading(self) -> str: ...
    @property
    def span(self) -> Span: ...
    @property
    def role(self) -> str | None: ...
    @property
    def children(self) -> Sequence[Any]: ...


@dataclass
class Call:
    """One request: a task on a piece (or two) of the document text."""

    task: str
    name: str  # unique within a report: "applications", "claims#2"
    parts: list[tuple[int, str]]  # (offset in Document.text, text)
    heading: str = ""
    layout: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return _GAP.join(text for _, text in self.parts)

    def variables(self) -> dict[str, Any]:
        return {
            "task": self.task, "heading": self.heading, "layout": self.layout or "", "source": self.source, **self.extra
        }

    def value_span(self, value: Any, quote: str | None) -> tuple[Span | None, bool]:
        """Where in ``Document.text`` a number was read for ``quote`` (see ``grounding.value_span``), and
        whether that is the quote itself (False: the number was found apart from its quoted label)."""
        if not isinstance(value, (int, float)) or isinstance(value, bool) or has_digit(quote or ""):
            return self.to_document(quote), True  # a quote with numbers is the row: its values were checked in it
        for offset, text in self.parts:
            quoted = locate(quote, text)
            if quoted is None:
                continue
            span = value_span(value, text, quote)
            if span is not None:
                return Span(start=offset + span.start, end=offset + span.end), span == quoted
        return self.to_document(quote), True

    def to_document(self, quote: str | None) -> Span | None:
        """Where in ``Document.text`` the quote was copied from."""
        for offset, text in self.parts:
            span = locate(quote, text)
            if span is not None:
                return Span(start=offset + span.start, end=offset + span.end)
        return None


def _section_text(doc: Document, section: SectionLike) -> str:
    return doc.text[section.span.start : section.span.end]


def table_variables(task: str, layout: str | None) -> dict[str, str]:
    """Label tables of ``extractor.record`` rendered for the prompt (keys never re-typed)."""
    if task == "pre2019":
        return {"keys": "\n".join(f"  {k}: {v}" for k, v in PRE2019_LABELS.items())}
    if task == "applications":  # every row of both layouts: the same text (a cacheable prefix) for every report
        return {
            "rows": "\n".join(f"  {k}: {v}" for k, v in application_rows_for(None).items()),
            "columns": "、".join(f"{k} {v}" for k, v in APPLICANT_COLUMNS.items()),
        }
    if task == "review_litigation":
        return {
            "groups": "、".join(f"{k} {v}" for k, v in REVIEW_GROUPS.items()),
            "outcomes": "、".join(f"{k} {v}" for k, v in REVIEW_OUTCOMES.items()),
        }
    spec = active_disclosure_spec(layout)
    lines = [
        f"  {row} {ACTIVE_DISCLOSURE_ROWS[row]}: " + ", ".join(f"{c} {label}" for c, label in cols.items())
        for row, cols in spec.items()
    ]
    return {"rows": "\n".join(lines)}


def _split_long(offset: int, text: str, limit: int) -> list[tuple[int, str]]:
    """Pieces of at most ``limit`` chars, cut after a 。 or a line break where possible."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("。"), window.rfind("\n"))
        end = start + (cut + 1 if cut > limit // 3 else limit)
        pieces.append((offset + start, text[start:end]))
        start = end
    if text[start:].strip():
        pieces.append((offset + start, text[start:]))
    return pieces


def _paragraphs(doc: Document, section: SectionLike) -> list[tuple[int, str]]:
    """The numbered paragraphs of a section (its children), else its lines."""
    start, end = section.span.start, section.span.end
    children = sorted(section.children or [], key=lambda c: c.span.start)
    if children:
        cuts = [start] + [c.span.start for c in children if start < c.span.start < end] + [end]
    else:
        cuts = [start]
        pos = doc.text.find("\n", start, end)
        while pos >= 0:
            cuts.append(pos + 1)
            pos = doc.text.find("\n", pos + 1, end)
        cuts.append(end)
    paras = [(a, doc.text[a:b]) for a, b in zip(cuts, cuts[1:], strict=False) if doc.text[a:b].strip()]
    return paras


def prose_chunks(doc: Document, sections: Sequence[SectionLike], limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Consecutive paragraphs grouped into chunks of at most ``limit`` characters."""
    chunks: list[tuple[int, str]] = []
    for section in sections:
        current: tuple[int, int] | None = None  # (start, end) in doc.text
        for offset, text in _paragraphs(doc, section):
            for p_off, p_text in _split_long(offset, text, limit):
                p_end = p_off + len(p_text)
                if current is not None and p_end - current[0] <= limit:
                    current = (current[0], p_end)
                else:
                    if current is not None:
                        chunks.append((current[0], doc.text[current[0] : current[1]]))
                    current = (p_off, p_end)
        if current is not None:
            chunks.append((current[0], doc.text[current[0] : current[1]]))
    return [(o, t) for o, t in chunks if t.strip()]


def _could_hold_claim(text: str) -> bool:
    """A claim needs at least two printed numbers (a total and a part, or a rate and a count)."""
    return sum(1 for _ in zip(range(2), iter_numbers(compact(text)[0]), strict=False)) >= 2


@dataclass
class _WholeText:
    """The document as one section, when no section headings were found."""

    heading: str
    span: Span
    role: str | None = None
    children: Sequence[Any] = ()


def plan_calls(doc: Document, sections: Sequence[SectionLike], meta: Meta) -> list[Call]:
    """The requests for one report (which sections, which task, which layout)."""
    calls: list[Call] = []
    text = doc.text
    first = min((s.span.start for s in sections), default=len(text))
    overview = next((s for s in sections if s.role == "overview"), None)
    head_start = 0  # a scraped page prints its title and date lines above the report's first heading
    head_end = min(len(text), max(overview.span.end if overview else first, first + 600), META_HEAD_CHARS)
    tail = (max(head_end, len(text) - META_TAIL_CHARS), len(text))
    spans = [(head_start, head_end), tail, *signature_spans(text, head_end)]
    calls.append(Call(task="meta", name="meta", parts=_merged(text, spans), heading="meta"))

    tables_layout = meta.layout if meta.kind == "annual_report" and meta.layout in ("2019", "2021") else None
    table_sections: set[int] = set()
    if tables_layout:
        for task in TABLE_TASKS:
            holding = table_sections_for(doc, sections, task, tables_layout)
            if not holding:
                continue
            table_sections.update(id(s) for s in holding)
            calls.append(
                Call(
                    task=task,
                    name=task,
                    parts=_merged(text, [(s.span.start, s.span.end) for s in holding]),
                    heading=holding[0].heading,
                    layout=tables_layout,
                    extra=table_variables(task, tables_layout),
                )
            )
    if meta.kind == "annual_report" and meta.layout == "pre2019":
        parts = pre2019_parts(doc, sections)
        if parts:
            calls.append(
                Call(task="pre2019", name="pre2019", parts=parts, heading="statistics", layout="pre2019",
                     extra=table_variables("pre2019", None))
            )
    if tables_layout:  # every section that holds no table is prose (a narrative 主动公开工作情况 among them)
        prose = [
            s for s in sections
            if id(s) not in table_sections
            and (s.role in PROSE_ROLES or s.role not in TABLE_TASKS
                 or not _prints_labels(_section_text(doc, s), s.role, tables_layout))
        ]
    else:  # pre2019 reports and work summaries are prose throughout
        prose = list(sections) or [_WholeText(heading="", span=Span(start=0, end=len(text)))]
    kind = "work summary (政务公开工作落实情况)" if meta.kind == "work_summary" else "annual report"
    chunks = [(o, t) for o, t in prose_chunks(doc, prose) if _could_hold_claim(t)]
    for i, (offset, chunk) in enumerate(chunks):
        heading = next((s.heading for s in prose if s.span.start <= offset < s.span.end), "")
        calls.append(
            Call(task="claims", name=f"claims#{i}", parts=[(offset, chunk)], heading=heading, extra={"kind": kind})
        )
    return calls


def _label_cores(task: str, layout: str | None) -> list[str]:
    """The distinctive words of a table's printed row labels (numbering and notes stripped)."""
    from extractor.llm.schemas import _label_core

    if task == "applications":
        labels = list(application_rows_for(layout).values())
    elif task == "review_litigation":
        labels = [*(label.split("·")[-1] for label in REVIEW_GROUPS.values()), *REVIEW_OUTCOMES.values()]
    else:
        labels = [ACTIVE_DISCLOSURE_ROWS[row] for row in active_disclosure_spec(layout)]
    return [c for c in (_label_core(label) for label in labels) if len(c) >= 2]


def _prints_labels(text: str, task: str | None, layout: str | None, least: int = 3) -> bool:
    """Whether ``text`` prints at least ``least`` of the row labels of table ``task``: it holds that table."""
    if task not in TABLE_TASKS:
        return False
    hay = compact(text)[0]
    return sum(1 for core in _label_cores(task, layout) if core in hay) >= least


def table_sections_for(
    doc: Document, sections: Sequence[SectionLike], task: str, layout: str | None
) -> list[SectionLike]:
    """The sections holding table ``task``: of the sections with that role, those that print its row labels;
    else sections of no known role that print them; else every section with the role (prose such as
    总体情况 may name the labels too, so it is never taken for the table). A report may have both a narrative
    section and the table under the same heading words (三、主动公开工作情况 … 一、主动公开政府信息情况)."""
    own = [s for s in sections if s.role == task]
    holding = [s for s in own if _prints_labels(_section_text(doc, s), task, layout)]
    if not holding:  # a heading of its own wording: a section of no known role that prints the labels
        holding = [s for s in sections if s.role is None and _prints_labels(_section_text(doc, s), task, layout)]
    return holding or own


_DATE = re.compile(
    r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
SIGNATURE_BEFORE = 160  # characters before a signature date: the body's name printed above it


def signature_spans(text: str, after: int) -> list[tuple[int, int]]:
    """Where a report is signed: a date standing on its own (a line or a run of spaces before it and
    after it), wherever it is — before an attached statistics table as much as at the very end."""
    spans = []
    for m in _DATE.finditer(text, after):
        before, rest = text[max(0, m.start() - 2) : m.start()], text[m.end() : m.end() + 2]
        stands_alone_before = not before or before[-1].isspace() or before[-1] in "。"
        stands_alone_after = not rest or rest[0].isspace() or rest[0] in "。"
        if stands_alone_before and stands_alone_after:
            spans.append((max(after, m.start() - SIGNATURE_BEFORE), m.end()))
    return spans[-2:]


def _merged(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, str]]:
    """Pieces of ``text`` for ``spans``, overlapping or touching ones merged, in text order, blanks dropped."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return [(a, text[a:b]) for a, b in merged if text[a:b].strip()]


PRE2019_ROLES = frozenset({"active_disclosure", "applications", "review_litigation"})
_FEES = re.compile(r"收费|费用")
_STATS_TABLE = re.compile(r"统计指标|统\s*计\s*数|指\s*标\s*名\s*称|计\s*量\s*单\s*位")
STATS_TABLE_CHARS = 3000


def pre2019_parts(doc: Document, sections: Sequence[SectionLike]) -> list[tuple[int, str]]:
    """The pieces of a pre-2019 report that hold its statistics: disclosure, applications, review and fee
    sections (or, when none is recognised, the sections of no known role), and the attached statistics
    table (often glued to the last section)."""
    spans = [
        (s.span.start, s.span.end)
        for s in sections
        if s.role in PRE2019_ROLES or (s.role is None and _FEES.search(s.heading))
    ]
    if not spans:  # headings of their own wording (二、公开政府信息情况): the sections of no known role
        spans = [(s.span.start, s.span.end) for s in sections if s.role is None]
    last_end = -1
    for table in _STATS_TABLE.finditer(doc.text):  # every statistics table (its header), wherever it is attached
        if table.start() < last_end:
            continue
        start = max(doc.text.rfind("\n", 0, table.start()) + 1, table.start() - 200)  # the table's title line
        last_end = min(len(doc.text), start + STATS_TABLE_CHARS)
        spans.append((start, last_end))
    return _merged(doc.text, spans)
