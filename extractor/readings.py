"""What crosses module boundaries after loading: readings, evidence, findings, results.

Data flows one way: Document -> sections -> Readings (reader, model) ->
checks (Findings) -> reconciled Record -> storage / scores. Every value of a
reading is keyed by its dotted path (``record.flatten``) and may carry the
evidence it was read from.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from extractor.document import Box, Span
from extractor.record import Number, Record

EngineName = Literal["reader", "llm"]
ReadFrom = Literal["grid", "text"]


class Evidence(BaseModel):
    """Where one value came from: the span of ``Document.text`` it was read from."""

    value: Number | str | None = None
    span: Span | None = None  # in Document.text
    source_span: Span | None = None  # the same place in the original file's text (the HTML markup, say)
    boxes: list[Box] = Field(default_factory=list)  # PDF: where on which page it is printed (the cell, the line)
    engine: EngineName = "reader"
    source: Literal["reader", "llm", "agreed", "chosen", "conflicted"] = "reader"
    note: str | None = None  # why a cell is null, how a run of digits was split, the other engine's reading…
    # reader only: a table cell read from the file's own grid (its span is the cell's) or from the text
    read_from: ReadFrom | None = None


class Reading(BaseModel):
    """One engine's reading of one report: a (possibly partial) record plus its evidence."""

    engine: EngineName
    record: Record
    evidence: dict[str, Evidence] = Field(default_factory=dict)  # dotted path -> evidence
    problems: list[str] = Field(default_factory=list)  # what could not be read, and why


Severity = Literal["error", "warning", "info"]
FindingStatus = Literal["fail", "not_checkable"]


class Finding(BaseModel):
    """A rule of spec §3 that the numbers break (or cannot be checked against)."""

    rule: str  # balance, outcome_sum, row_sum, group_sum, pre2019_sum, claim_sum, claim_rate, prose_vs_table, grounding, empty_table, cross_year
    where: str  # human-readable place: table/row/column or the claim
    paths: list[str] = Field(default_factory=list)  # dotted keys involved
    stated: Number | None = None
    computed: Number | None = None
    severity: Severity = "error"
    status: FindingStatus = "fail"
    message: str = ""
    evidence: list[Span] = Field(default_factory=list)


class RunInfo(BaseModel):
    """How a record was produced, so any figure can be traced to its engine, model and prompt."""

    engines: list[EngineName] = Field(default_factory=lambda: ["reader"])
    model: str | None = None
    base_url: str | None = None
    prompt_version: str | None = None
    requests: int = 0
    attempts: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failures: list[str] = Field(default_factory=list)  # per-section model failures, kept not dropped
    extractor_version: str = ""
    input_path: str | None = None  # the report this record was read from…
    input_sha256: str | None = None  # …and the hash of its bytes, so evidence spans can be re-opened safely


class Extraction(BaseModel):
    """The output of ``extractor extract`` for one report."""

    record: Record
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)  # what the engines could not read, and why
    run: RunInfo = Field(default_factory=RunInfo)

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Extraction:
        """Read back what ``to_json_dict`` wrote (the output of ``extractor extract``)."""
        data = dict(data)
        evidence = data.pop("evidence", {}) or {}
        findings = data.pop("findings", []) or []
        problems = data.pop("problems", []) or []
        run = data.pop("run", {}) or {}
        return cls(record=Record.model_validate(data), evidence=evidence, findings=findings, problems=problems, run=run)

    def to_json_dict(self) -> dict[str, Any]:
        """Canonical record keys first, then evidence, findings and run metadata."""
        out = self.record.canonical()
        out["evidence"] = {k: v.model_dump(mode="json", exclude_none=True) for k, v in self.evidence.items()}
        out["findings"] = [f.model_dump(mode="json") for f in self.findings]
        out["problems"] = list(self.problems)
        out["run"] = self.run.model_dump(mode="json")
        return out
