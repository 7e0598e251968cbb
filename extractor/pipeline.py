"""One report, end to end: document -> sections -> readings -> checks -> record.

This is the only place that knows the order of the stages; each stage is a
pure function of what came before it, so every one can be tested alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from extractor import __version__
from extractor.document import Document
from extractor.loading import load
from extractor.meta import detect_meta
from extractor.readings import Extraction, RunInfo
from extractor.reader import read_document
from extractor.sections import split_sections

EngineChoice = Literal["reader", "llm", "both"]


class ExtractOptions(BaseModel):
    """Settings that change what an extraction produces (and so belong in cache and batch keys)."""

    engine: EngineChoice = "reader"
    check: bool = True


def extract_document(doc: Document, options: ExtractOptions | None = None) -> Extraction:
    """Read one loaded report with the reader engine and return the checked record."""
    options = options or ExtractOptions()
    sections = split_sections(doc.text)
    meta = detect_meta(doc, sections)
    reading = read_document(doc, sections, meta)
    record = reading.record.model_copy(update={"meta": meta, "sections": [s.heading for s in sections]})
    extraction = Extraction(
        record=record,
        evidence=reading.evidence,
        run=RunInfo(engines=["reader"], extractor_version=__version__),
    )
    return extraction


def extract_path(path: str | Path, options: ExtractOptions | None = None) -> Extraction:
    return extract_document(load(path), options)
