"""One report, end to end: document -> sections -> readings -> checks -> record.

This is the only place that knows the order of the stages; each stage is a
pure function of what came before it, so every one can be tested alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from extractor import __version__
from extractor.checks import check
from extractor.document import Document
from extractor.errors import ExitCode, ExtractorError, InputError, ModelError
from extractor.llm.config import LlmSettings
from extractor.loading import load
from extractor.meta import detect_meta
from extractor.reader import read_document
from extractor.readings import Evidence, Extraction, Reading, RunInfo
from extractor.reconcile import reconcile
from extractor.record import Record
from extractor.sections import split_sections

EngineChoice = Literal["reader", "llm", "both"]


class ExtractOptions(BaseModel):
    """Settings that change what an extraction produces (and so belong in cache and batch keys)."""

    engine: EngineChoice = "reader"
    check: bool = True
    llm: LlmSettings | None = None  # required by the engines "llm" and "both"

    @classmethod
    def for_engine(
        cls, engine: EngineChoice, settings: LlmSettings | None = None, prompt: str | None = None
    ) -> ExtractOptions:
        """Options for an engine: the model settings (from the environment unless given) with ``prompt``."""
        if engine == "reader":
            if prompt is not None:
                raise ExtractorError(
                    "--prompt selects the model engine's prompts: add --engine llm (or both).", ExitCode.USAGE
                )
            return cls()
        settings = settings or LlmSettings.from_env()
        if prompt is not None:
            settings = settings.model_copy(update={"prompt_version": prompt})
        return cls(engine=engine, llm=settings)


def extract_document(
    doc: Document, options: ExtractOptions | None = None, on_model_call: Callable[[int, int], None] | None = None
) -> Extraction:
    """Read one loaded report with the chosen engine(s), reconcile, check, and return the record.

    With ``engine="both"`` every value is agreed, chosen or conflicted (see
    ``reconcile``). A model endpoint that is missing or unusable raises
    ``ModelError`` unless ``llm.fallback_reader`` is set, in which case the
    reader's record is returned and the failure is noted in ``run.failures``.
    ``on_model_call(done, total)`` follows the model's requests (for a progress bar).
    """
    options = options or ExtractOptions()
    sections = split_sections(doc.text)
    meta = detect_meta(doc, sections)
    if meta.year is None and not sections:
        raise InputError(
            f"{doc.path or 'the input'} does not look like a government information-disclosure report "
            "(no year and no section headings found); check that the file holds the report itself."
        )
    headings = [s.heading for s in sections]
    reader = llm = None
    run = RunInfo(engines=[])
    if options.engine in ("llm", "both"):
        settings = options.llm or LlmSettings.from_env()
        try:
            from extractor.llm.engine import (
                read_with_model_sync,  # openai/instructor only when a model is asked for
            )

            llm, run = read_with_model_sync(doc, sections, meta, settings, on_call=on_model_call)
        except ModelError as exc:
            if not settings.fallback_reader:
                raise
            run = RunInfo(engines=[], failures=[f"model engine not used: {exc}"])
    if options.engine != "llm" or llm is None:
        reader = read_document(doc, sections, meta)
        reader.record = reader.record.model_copy(update={"meta": meta, "sections": headings})
        run.engines = ["reader", *run.engines]
    if llm is not None:
        llm.record = llm.record.model_copy(update={"sections": headings})
    if reader is not None:
        record, evidence = reconcile(reader, llm, doc.text)
        record, evidence = _with_figures(record, evidence, reader, llm)
    else:
        record, evidence = llm.record, llm.evidence  # type: ignore[union-attr]
    if record.meta.kind == "work_summary":
        record, evidence = _without_tables(record, evidence)
    ocr_problems: list[str] = []
    if doc.ocr_pages:  # a scan: doubtful OCR digits that break an identity are blanked, not kept as the source's error
        from extractor.ocr.confidence import guard_doubtful

        record, evidence, ocr_problems = guard_doubtful(doc, record, evidence)
    evidence = {
        path: ev.model_copy(update={"source_span": doc.to_source(ev.span), "boxes": doc.to_boxes(ev.span)})
        if ev.span is not None
        else ev
        for path, ev in evidence.items()
    }
    findings = check(record, doc.text, evidence, sections) if options.check else []
    if llm is not None and options.check:
        findings += llm.findings  # the model's own failures (an empty skeleton, rows left out)
    input_path = str(Path(doc.path).resolve()) if doc.path else None
    run = run.model_copy(
        update={"extractor_version": __version__, "input_path": input_path, "input_sha256": doc.sha256}
    )
    problems = [*doc.problems, *(reader.problems if reader else []), *(llm.problems if llm else []), *ocr_problems]
    return Extraction(record=record, evidence=evidence, findings=findings, problems=problems, run=run)


def _with_figures(
    record: Record, evidence: dict[str, Evidence], reader: Reading, llm: Reading | None
) -> tuple[Record, dict[str, Evidence]]:
    """The figures of the reader (the model's where the reader read none) with their evidence ``figures.N``,
    and the reader's evidence of its claims (``claims.N``): list items, not cells, so not reconciled cell by cell."""
    source = reader
    if not reader.record.figures and llm is not None and llm.record.figures:
        source = llm
    record = record.model_copy(update={"figures": source.record.figures})
    evidence = {p: ev for p, ev in evidence.items() if not p.startswith("figures.")}
    evidence |= {p: ev for p, ev in source.evidence.items() if p.startswith("figures.")}
    if record.claims == reader.record.claims:
        evidence |= {p: ev for p, ev in reader.evidence.items() if p.startswith("claims.") and p not in evidence}
    return record, evidence


_TABLE_KEYS = ("active_disclosure", "applications", "review_litigation", "pre2019")


def _without_tables(record: Record, evidence: dict[str, Evidence]) -> tuple[Record, dict[str, Evidence]]:
    """A work summary prints no report tables (spec "meta.kind"): no table keys, ``layout`` null."""
    record = record.model_copy(
        update={key: None for key in _TABLE_KEYS} | {"meta": record.meta.model_copy(update={"layout": None})}
    )
    kept = {path: ev for path, ev in evidence.items() if path.split(".", 1)[0] not in _TABLE_KEYS}
    return record, kept


def extract_path(
    path: str | Path, options: ExtractOptions | None = None, on_model_call: Callable[[int, int], None] | None = None
) -> Extraction:
    return extract_document(load(path), options, on_model_call)


def _report_of(record_path: Path, extraction: Extraction) -> Path | None:
    """The report a saved record came from: ``run.input_path``, else ``source`` beside the JSON or in ../reports/."""
    candidates: list[Path] = []
    if extraction.run.input_path:
        candidates.append(Path(extraction.run.input_path))
    if extraction.record.source:
        name = Path(extraction.record.source)
        candidates += [name, record_path.parent / name, record_path.parent.parent / "reports" / name]
    return next((p for p in candidates if p.is_file()), None)


def open_result(
    path: str | Path, report: str | Path | None = None
) -> tuple[Document | None, Extraction, list[str]]:
    """A report file (extracted now), or a saved record JSON (``extract`` output or gold) with its report.

    The report of a JSON is ``report`` when given, else found from the record.
    Returns the document (None when the report cannot be found), the
    extraction, and notes for the user; evidence spans are dropped when the
    report changed since the record was written, since they would point at
    the wrong text.
    """
    path = Path(path)
    if path.suffix.lower() != ".json":
        doc = load(path)
        return doc, extract_document(doc), []
    try:
        extraction = Extraction.from_json_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(
            f"{path}: not a record written by `extractor extract` ({first}); pass the report itself instead."
        ) from None
    source = Path(report) if report else _report_of(path, extraction)
    if source is None:
        return None, extraction, ["the report this record came from was not found (give it with --report)"]
    doc = load(source)
    if extraction.run.input_sha256 and doc.sha256 != extraction.run.input_sha256:
        note = f"{source} changed since the record was written: its evidence spans are ignored (extract it again)"
        return doc, extraction.model_copy(update={"evidence": {}}), [note]
    return doc, extraction, []
