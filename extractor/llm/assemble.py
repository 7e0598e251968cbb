"""Answers -> one ``Reading``: values into the canonical record, quotes into evidence spans.

A failed section becomes a problem (and its salvaged answer is kept, marked in
its evidence notes); nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from extractor.document import Document, Span
from extractor.llm.plan import Call, SectionLike
from extractor.llm.schemas import ApplicationsAnswer, ClaimsAnswer, MetaAnswer, Pre2019Answer, ReviewAnswer
from extractor.readings import Evidence, Finding, Reading
from extractor.reconcile import APART_NOTE, FAILED_NOTE
from extractor.record import (
    APPLICANT_COLUMNS,
    REVIEW_OUTCOMES,
    ApplicantCounts,
    CaseOutcomes,
    Claim,
    ClaimPart,
    ClaimRate,
    ClaimTotal,
    Figure,
    Meta,
    Pre2019,
    Record,
    active_disclosure_spec,
)


@dataclass
class CallResult:
    """What one request produced: the answer (or the failure, with any salvaged answer) and its cost."""

    call: Call
    answer: BaseModel | None = None
    failure: str | None = None  # set when the answer failed (kept lenient if it could be read)
    rejected: str | None = None  # why a failed answer was not kept at all (the all-zero skeleton)
    warnings: list[str] = field(default_factory=list)  # what a kept answer lacks (rows the text prints)
    cache_hit: bool = False
    requests: int = 0
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _evidence(call: Call, quote: str | None, value: Any, note: str | None) -> Evidence:
    span, in_quote = call.value_span(value, quote)
    if span is None and quote:
        note = "; ".join(filter(None, [note, f"quote not found in the text: {quote[:60]!r}"]))
    elif not in_quote:
        note = "; ".join(filter(None, [note, f"{APART_NOTE} {(quote or '')[:40]!r}"]))
    return Evidence(value=value, span=span, engine="llm", source="llm", note=note)


def assemble(doc: Document, sections: Sequence[SectionLike], meta: Meta, results: Sequence[CallResult]) -> Reading:
    """Map every call's answer into one record with evidence; failures become problems, not silence."""
    record = Record(meta=Meta(layout=meta.layout, kind=meta.kind), sections=[s.heading for s in sections])
    evidence: dict[str, Evidence] = {}
    problems: list[str] = []
    claims: list[Claim] = []
    figures: list[Figure] | None = None  # None: no prose was read
    findings: list[Finding] = []
    for r in results:
        call, answer = r.call, r.answer
        note = f"{FAILED_NOTE}: {r.failure}" if r.failure and answer is not None else None
        if r.failure:
            problems.append(f"{call.name}: {r.failure}")
        for why in [*([r.rejected] if r.rejected else []), *r.warnings]:
            findings.append(model_finding(call, why))
            problems.append(f"{call.name}: {why}")
        if answer is None:
            continue
        if isinstance(answer, MetaAnswer):
            _meta_into(record, evidence, call, answer, meta, note)
        elif call.task == "applications":
            assert isinstance(answer, ApplicationsAnswer)  # the task's response model (schemas.response_model)
            record.applications = {}
            for row in answer.rows:
                counts = ApplicantCounts(**{c: getattr(row, c) for c in APPLICANT_COLUMNS})
                record.applications[row.row] = counts
                for c in APPLICANT_COLUMNS:
                    evidence[f"applications.{row.row}.{c}"] = _evidence(call, row.quote, getattr(row, c), note)
            _inconsistencies(problems, call, answer)
        elif call.task == "review_litigation":
            assert isinstance(answer, ReviewAnswer)  # the task's response model (schemas.response_model)
            record.review_litigation = {}
            for group in answer.groups:
                record.review_litigation[group.group] = CaseOutcomes(**{c: getattr(group, c) for c in REVIEW_OUTCOMES})
                for c in REVIEW_OUTCOMES:
                    value = getattr(group, c)
                    evidence[f"review_litigation.{group.group}.{c}"] = _evidence(call, group.quote, value, note)
            _inconsistencies(problems, call, answer)
        elif call.task == "active_disclosure":
            spec = active_disclosure_spec(call.layout)
            record.active_disclosure = {}
            # attr-defined: the table 二 answer models are built per layout at import time (schemas._disclosure_model)
            for row in answer.rows:  # type: ignore[attr-defined]
                cols = {c: getattr(row, c) for c in spec[row.row]}
                record.active_disclosure[row.row] = cols
                for c, v in cols.items():
                    evidence[f"active_disclosure.{row.row}.{c}"] = _evidence(call, row.quote, v, note)
        elif isinstance(answer, Pre2019Answer):
            record.pre2019 = _pre2019_record(answer)
            for item in answer.items:
                evidence[f"pre2019.{item.key}"] = _evidence(call, item.quote, item.value, note)
            _inconsistencies(problems, call, answer)
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
            figures = figures if figures is not None else []
            for fig in answer.figures:
                figures.append(Figure(name=fig.name, value=fig.value, unit=fig.unit, approx=fig.approx))
                evidence[f"figures.{len(figures) - 1}"] = _evidence(call, fig.quote, fig.value, note)
    record.claims = claims
    record.figures = figures
    return Reading(engine="llm", record=record, evidence=evidence, problems=problems, findings=findings)


def model_finding(call: Call, why: str) -> Finding:
    """A finding about the model's answer itself (rule ``model_answer``): it concerns the extraction, not the report."""
    span = Span(start=call.parts[0][0], end=call.parts[0][0] + len(call.parts[0][1])) if call.parts else None
    return Finding(
        rule="model_answer", where=f"{call.name}（{call.heading}）" if call.heading else call.name,
        severity="warning", message=why, evidence=[span] if span else [],
    )


def _meta_into(
    record: Record, evidence: dict[str, Evidence], call: Call, answer: MetaAnswer, meta: Meta, note: str | None
) -> None:
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


def _pre2019_record(answer: Pre2019Answer) -> Pre2019:
    data: dict[str, Any] = {"applications": {}, "review": {}, "litigation": {}, "complaints": {}}
    for item in answer.items:
        group, _, key = item.key.rpartition(".")
        if group:
            data[group][key] = item.value
        else:
            data[key] = item.value
    return Pre2019.model_validate(data)


def _inconsistencies(problems: list[str], call: Call, answer: Any) -> None:
    for item in getattr(answer, "printed_inconsistencies", []) or []:
        problems.append(f"{call.name}: the model reports the printed table breaks an identity: {item}")
