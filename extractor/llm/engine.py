"""The model engine: one focused request per section, answers mapped into a ``Reading``.

Never the whole report in one call, never "repeat the text": meta from the
header (+ 总体情况 and the closing lines), tables 二/三/四 each from their own
section, claims from the prose in chunks of numbered paragraphs (a work
summary is all prose). Calls run concurrently, bounded by one semaphore per
engine (so a batch of reports shares the limit). A section that fails keeps
its failure in ``Reading.problems`` and ``RunInfo.failures`` and the other
sections are still read; only an unusable endpoint (``ModelError``) stops the run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import instructor
from instructor.core import InstructorRetryException
from instructor.v2.core.hooks import Hooks
from instructor.v2.core.json import extract_json_from_codeblock
from pydantic import BaseModel

from extractor import __version__
from extractor.document import Document, Span
from extractor.errors import ModelError
from extractor.llm.cache import AnswerCache, CachedAnswer, answer_key
from extractor.llm.client import describe_failure, fatal_error, make_client, redact, start_counting
from extractor.llm.config import LlmSettings
from extractor.llm.grounding import compact, locate
from extractor.llm.prompts import check_version, load_prompt
from extractor.llm.schemas import (
    ACTIVE_DISCLOSURE_SPECS,
    ClaimsAnswer,
    MetaAnswer,
    application_rows_for,
    response_model,
)
from extractor.numbers import iter_numbers
from extractor.readings import Evidence, Reading, RunInfo
from extractor.record import (
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    ApplicantCounts,
    CaseOutcomes,
    Claim,
    ClaimPart,
    ClaimRate,
    ClaimTotal,
    Meta,
    Record,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
)

TABLE_TASKS: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation")
PROSE_ROLES: frozenset[str | None] = frozenset({"overview", "problems", "other", None})
CHUNK_CHARS = 1800  # prose per claims request: a few numbered paragraphs
META_HEAD_CHARS = 2500
META_TAIL_CHARS = 300
_GAP = "\n……\n"


class SectionLike(Protocol):
    """What the engine needs of ``extractor.sections.Section``."""

    heading: str
    span: Span
    role: str | None
    children: Sequence[Any]


# ------------------------------------------------------------------ planning
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
        return {"task": self.task, "heading": self.heading, "layout": self.layout or "", "source": self.source, **self.extra}

    def to_document(self, quote: str | None) -> Span | None:
        """Where in ``Document.text`` the quote was copied from."""
        for offset, text in self.parts:
            span = locate(quote, text)
            if span is not None:
                return Span(start=offset + span.start, end=offset + span.end)
        return None


def _section_text(doc: Document, section: SectionLike) -> str:
    return doc.text[section.span.start : section.span.end]


def _table_variables(task: str, layout: str | None) -> dict[str, str]:
    """Label tables of ``extractor.record`` rendered for the prompt (keys never re-typed)."""
    if task == "applications":
        return {
            "rows": "\n".join(f"  {k}: {v}" for k, v in application_rows_for(layout).items()),
            "columns": "、".join(f"{k} {v}" for k, v in APPLICANT_COLUMNS.items()),
        }
    if task == "review_litigation":
        return {
            "groups": "、".join(f"{k} {v}" for k, v in REVIEW_GROUPS.items()),
            "outcomes": "、".join(f"{k} {v}" for k, v in REVIEW_OUTCOMES.items()),
        }
    spec = ACTIVE_DISCLOSURE_SPECS[layout or "2021"]
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
    paras = [(a, doc.text[a:b]) for a, b in zip(cuts, cuts[1:]) if doc.text[a:b].strip()]
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
    return sum(1 for _ in zip(range(2), iter_numbers(compact(text)[0]))) >= 2


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
    head_start = max(0, first - META_HEAD_CHARS // 2)
    head_end = min(len(text), max(overview.span.end if overview else first, first + 600), head_start + META_HEAD_CHARS)
    parts = [(head_start, text[head_start:head_end])]
    tail_start = max(head_end, len(text) - META_TAIL_CHARS)
    if tail_start < len(text) and text[tail_start:].strip():
        parts.append((tail_start, text[tail_start:]))
    calls.append(Call(task="meta", name="meta", parts=parts, heading="meta"))

    tables_layout = meta.layout if meta.kind == "annual_report" and meta.layout in ("2019", "2021") else None
    if tables_layout:
        for task in TABLE_TASKS:
            section = next((s for s in sections if s.role == task), None)
            if section is None:
                continue
            calls.append(
                Call(
                    task=task,
                    name=task,
                    parts=[(section.span.start, _section_text(doc, section))],
                    heading=section.heading,
                    layout=tables_layout,
                    extra=_table_variables(task, tables_layout),
                )
            )
    if tables_layout:
        prose = [s for s in sections if s.role in PROSE_ROLES]
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


# ------------------------------------------------------------------ running
@dataclass
class CallResult:
    call: Call
    answer: BaseModel | None = None
    failure: str | None = None  # set when the answer failed (kept lenient if it could be read)
    cache_hit: bool = False
    requests: int = 0
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _usage_tokens(usage: Any) -> tuple[int, int]:
    if usage is None:
        return 0, 0
    return int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)


def _answer_text(completion: Any, mode: str) -> str | None:
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    if mode == "tools" and getattr(message, "tool_calls", None):
        return message.tool_calls[0].function.arguments
    return getattr(message, "content", None)


def salvage(completion: Any, model: type[BaseModel], mode: str) -> BaseModel | None:
    """The last (invalid) answer read without the rules, to keep it with its failure; None if unreadable."""
    text = _answer_text(completion, mode)
    if not text:
        return None
    for candidate in (text, extract_json_from_codeblock(text)):
        try:
            return model.model_validate_json(candidate, context={"lenient": True})
        except ValueError:
            continue
    return None


def _first_line(exc: BaseException, limit: int = 400) -> str:
    text = " ".join(str(exc).split())
    return text[:limit]


class ModelEngine:
    """An async client, a cache and one concurrency limit, shared by every report read with it.

    Use one engine per event loop: ``async with ModelEngine(settings) as engine: await engine.read(...)``.
    """

    def __init__(self, settings: LlmSettings, cache: AnswerCache | None = None) -> None:
        missing = settings.missing()
        if missing:
            raise ModelError(missing)
        check_version(settings.prompt_version)
        self.settings = settings
        self.cache = cache if cache is not None else AnswerCache.from_settings(settings)
        self.client: instructor.AsyncInstructor = make_client(settings)
        self._semaphore = asyncio.Semaphore(settings.concurrency)

    async def __aenter__(self) -> ModelEngine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.client.close()

    # -- one call
    def _key(self, call: Call, model: type[BaseModel], prompt_sha: str) -> str:
        s = self.settings
        return answer_key(
            endpoint=s.endpoint,
            model=s.model or "",
            mode=s.resolved_mode,
            prompt_version=s.prompt_version,
            prompt_sha=prompt_sha,
            task=call.task,
            schema=model.model_json_schema(),
            generation=s.generation_params(),
            variables=call.variables(),
        )

    async def run_call(self, call: Call) -> CallResult:
        s = self.settings
        prompt = load_prompt(s.prompt_version, call.task)
        model = response_model(call.task, call.layout)
        context = call.variables()
        key = self._key(call, model, prompt.sha256)
        result = CallResult(call=call)
        cached = self.cache.get(key)
        if cached is not None:
            try:
                result.answer = model.model_validate(cached.answer, context=context)
                result.cache_hit = True
                return result
            except ValueError:
                pass  # rules changed since it was stored: ask again
        hooks = Hooks()

        def _on_response(*_: Any, **__: Any) -> None:
            result.attempts += 1

        hooks.on("completion:response", _on_response)
        async with self._semaphore:
            counter = start_counting()
            try:
                answer, completion = await self.client.create_with_completion(
                    messages=prompt.messages(),
                    response_model=model,
                    context=context,
                    max_retries=s.max_retries,
                    hooks=hooks,
                    model=s.model,
                    **s.generation_params(),
                )
            except Exception as exc:  # noqa: BLE001 - classified below, never swallowed silently
                result.requests = counter.requests
                fatal = fatal_error(exc, s)
                if fatal is not None:
                    raise fatal from None
                self._record_failure(result, exc, model)
                return result
            result.requests = counter.requests
        result.answer = answer
        result.prompt_tokens, result.completion_tokens = _usage_tokens(getattr(completion, "usage", None))
        self.cache.put(
            key,
            CachedAnswer(
                answer=answer.model_dump(mode="json"),
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                attempts=result.attempts,
                model=s.model or "",
                prompt_version=s.prompt_version,
            ),
        )
        return result

    def _record_failure(self, result: CallResult, exc: Exception, model: type[BaseModel]) -> None:
        s = self.settings
        if isinstance(exc, InstructorRetryException):
            result.prompt_tokens, result.completion_tokens = _usage_tokens(exc.total_usage)
            if exc.failed_attempts:
                last = exc.failed_attempts[-1]
                result.answer = salvage(last.completion, model, s.resolved_mode)
                reason = _first_line(last.exception)
                result.failure = redact(
                    f"invalid after {len(exc.failed_attempts)} attempt(s): {reason}"
                    + ("" if result.answer is not None else " (answer unreadable, nothing kept)"),
                    s,
                )
                return
        result.failure = describe_failure(exc, s)

    # -- one report
    async def read(self, doc: Document, sections: Sequence[SectionLike], meta: Meta) -> tuple[Reading, RunInfo]:
        calls = plan_calls(doc, sections, meta)
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self.run_call(call)) for call in calls]
        except* ModelError as errors:
            raise errors.exceptions[0] from None
        results = [t.result() for t in tasks]
        return assemble(doc, sections, meta, results), self.run_info(results)

    def run_info(self, results: Sequence[CallResult]) -> RunInfo:
        s = self.settings
        return RunInfo(
            engines=["llm"],
            model=s.model,
            base_url=s.endpoint,
            prompt_version=s.prompt_version,
            requests=sum(r.requests for r in results),
            attempts=sum(r.attempts for r in results),
            cache_hits=sum(r.cache_hit for r in results),
            prompt_tokens=sum(r.prompt_tokens for r in results),
            completion_tokens=sum(r.completion_tokens for r in results),
            failures=[f"{r.call.name}: {r.failure}" for r in results if r.failure],
            extractor_version=__version__,
        )


# ------------------------------------------------------------------ answers -> Reading
def _evidence(call: Call, quote: str | None, value: Any, note: str | None) -> Evidence:
    span = call.to_document(quote)
    if span is None and quote:
        note = "; ".join(filter(None, [note, f"quote not found in the text: {quote[:60]!r}"]))
    return Evidence(value=value, span=span, engine="llm", source="llm", note=note)


def assemble(doc: Document, sections: Sequence[SectionLike], meta: Meta, results: Sequence[CallResult]) -> Reading:
    """Map every call's answer into one record with evidence; failures become problems, not silence."""
    record = Record(meta=Meta(layout=meta.layout, kind=meta.kind), sections=[s.heading for s in sections])
    evidence: dict[str, Evidence] = {}
    problems: list[str] = []
    claims: list[Claim] = []
    for r in results:
        call, answer = r.call, r.answer
        note = f"kept after failed validation: {r.failure}" if r.failure and answer is not None else None
        if r.failure:
            problems.append(f"{call.name}: {r.failure}")
        if answer is None:
            continue
        if isinstance(answer, MetaAnswer):
            _meta_into(record, evidence, call, answer, meta, note)
        elif call.task == "applications":
            record.applications = {}
            for row in answer.rows:  # type: ignore[attr-defined]
                counts = ApplicantCounts(**{c: getattr(row, c) for c in APPLICANT_COLUMNS})
                record.applications[row.row] = counts
                for c in APPLICANT_COLUMNS:
                    evidence[f"applications.{row.row}.{c}"] = _evidence(call, row.quote, getattr(row, c), note)
            _inconsistencies(problems, call, answer)
        elif call.task == "review_litigation":
            record.review_litigation = {}
            for group in answer.groups:  # type: ignore[attr-defined]
                record.review_litigation[group.group] = CaseOutcomes(**{c: getattr(group, c) for c in REVIEW_OUTCOMES})
                for c in REVIEW_OUTCOMES:
                    evidence[f"review_litigation.{group.group}.{c}"] = _evidence(call, group.quote, getattr(group, c), note)
            _inconsistencies(problems, call, answer)
        elif call.task == "active_disclosure":
            spec = ACTIVE_DISCLOSURE_SPECS[call.layout or "2021"]
            record.active_disclosure = {}
            for row in answer.rows:  # type: ignore[attr-defined]
                cols = {c: getattr(row, c) for c in spec[row.row]}
                record.active_disclosure[row.row] = cols
                for c, v in cols.items():
                    evidence[f"active_disclosure.{row.row}.{c}"] = _evidence(call, row.quote, v, note)
        elif isinstance(answer, ClaimsAnswer):
            for claim in answer.claims:
                claims.append(
                    Claim(
                        total=ClaimTotal(**claim.total.model_dump()) if claim.total else None,
                        parts=[ClaimPart(**p.model_dump()) for p in claim.parts],
                        complete=claim.complete,
                        rate=ClaimRate(**claim.rate.model_dump()) if claim.rate else None,
                    )
                )
                value = claim.total.value if claim.total else (claim.rate.percent if claim.rate else None)
                evidence[f"claims.{len(claims) - 1}"] = _evidence(call, claim.quote, value, note)
    record.claims = claims
    return Reading(engine="llm", record=record, evidence=evidence, problems=problems)


def _meta_into(record: Record, evidence: dict[str, Evidence], call: Call, answer: MetaAnswer, meta: Meta, note: str | None) -> None:
    record.meta = Meta(
        agency=answer.agency,
        year=answer.year,
        kind=answer.kind,
        layout=None if answer.kind == "work_summary" else meta.layout,
        published=answer.published,
    )
    evidence["meta.agency"] = _evidence(call, answer.agency, answer.agency, note)
    evidence["meta.year"] = _evidence(call, answer.year_quote, answer.year, note)
    evidence["meta.published"] = _evidence(call, answer.published_quote, answer.published, note)


def _inconsistencies(problems: list[str], call: Call, answer: Any) -> None:
    for item in getattr(answer, "printed_inconsistencies", []) or []:
        problems.append(f"{call.name}: the model reports the printed table breaks an identity: {item}")


# ------------------------------------------------------------------ public API
async def read_with_model_run(
    doc: Document,
    sections: Sequence[SectionLike],
    meta: Meta,
    settings: LlmSettings,
    cache: AnswerCache | None = None,
    engine: ModelEngine | None = None,
) -> tuple[Reading, RunInfo]:
    """Read one report with the model: its Reading and the RunInfo counters (requests, hits, tokens…).

    Pass ``engine`` to share a client, a cache and the concurrency limit across
    reports (the batch runner does); otherwise one is made and closed here.
    Raises ``ModelError`` when the endpoint is not configured or unusable.
    """
    if engine is not None:
        return await engine.read(doc, sections, meta)
    async with ModelEngine(settings, cache) as own:
        return await own.read(doc, sections, meta)


async def read_with_model(
    doc: Document,
    sections: Sequence[SectionLike],
    meta: Meta,
    settings: LlmSettings,
    cache: AnswerCache | None = None,
) -> Reading:
    """The model engine's Reading of one report (see ``read_with_model_run`` for the counters)."""
    reading, _ = await read_with_model_run(doc, sections, meta, settings, cache)
    return reading


def read_with_model_sync(
    doc: Document,
    sections: Sequence[SectionLike],
    meta: Meta,
    settings: LlmSettings,
    cache: AnswerCache | None = None,
) -> tuple[Reading, RunInfo]:
    """``read_with_model_run`` for synchronous callers (the CLI); not for use inside a running loop."""
    return asyncio.run(read_with_model_run(doc, sections, meta, settings, cache))


def dumps_answer(answer: BaseModel) -> str:
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)
