"""What OCR was unsure of: doubtful digits that break an identity are blanked, never guessed.

Every OCR'd table cell and text line keeps the recogniser's confidence. After
the engines have read a scanned report, a number whose evidence lies in OCR'd
text read with a confidence below ``DOUBTFUL`` and that takes part in an
identity that fails (table 三/四 sums and balance, the pre-2019 sums) is set
to null, with a note in ``problems``: the misread shows as a blank, and the
identity that exposed it is no longer reported as the report's own error.
A sure reading that breaks an identity stays, and ``check`` reports it.
"""

from __future__ import annotations

from pydantic import BaseModel

from extractor.checks import check_applications, check_pre2019, check_review_litigation
from extractor.document import Document, Span
from extractor.normalize import source_to_text
from extractor.readings import Evidence
from extractor.record import Record, flatten

DOUBTFUL = 0.9  # below this the recogniser's own score says the digits may be wrong
_TABLES = ("applications", "review_litigation", "pre2019", "active_disclosure")


def _ocr_boxes(doc: Document) -> list[tuple[int, int, float]]:
    return [(b.start, b.end, b.confidence) for b in doc.boxes if b.confidence is not None]


def confidence_at(doc: Document, span: Span | None) -> float | None:
    """The lowest OCR confidence of the text under ``span`` (None: not OCR'd, or no span)."""
    if span is None or span.end <= span.start:
        return None
    src = doc.to_source(span)
    found = [conf for start, end, conf in _ocr_boxes(doc) if start < src.end and src.start < end]
    return min(found) if found else None


def _set_null(record: Record, path: str) -> bool:
    """Blank one table value of ``record`` in place (``path`` as ``flatten`` names it)."""
    table, _, rest = path.partition(".")
    if "." not in rest:  # pre2019.proactive_items, pre2019.fees_10k_yuan
        if table == "pre2019" and record.pre2019 is not None and rest in type(record.pre2019).model_fields:
            setattr(record.pre2019, rest, None)
            return True
        return False
    head, col = rest.rsplit(".", 1)
    if table == "applications" and record.applications and head in record.applications:
        setattr(record.applications[head], col, None)
    elif table == "review_litigation" and record.review_litigation and head in record.review_litigation:
        setattr(record.review_litigation[head], col, None)
    elif table == "active_disclosure" and record.active_disclosure and head in record.active_disclosure:
        record.active_disclosure[head][col] = None
    elif table == "pre2019" and record.pre2019 is not None:
        part = getattr(record.pre2019, head, None)
        if part is None:
            return False
        setattr(part, col, None)
    else:
        return False
    return True


def guard_doubtful(
    doc: Document, record: Record, evidence: dict[str, Evidence]
) -> tuple[Record, dict[str, Evidence], list[str]]:
    """Blank the doubtful OCR'd numbers that take part in a failing identity; say so in problems.

    (Blanking never makes another identity fail: with a term blank, a sum is
    decided only by the terms still given.) Doubtful numbers that stay are
    listed in problems too, so a reader of the record knows where to look.
    """
    if not doc.ocr_pages:
        return record, evidence, []
    record = record.model_copy(deep=True)
    evidence = dict(evidence)
    values = flatten(record)
    problems: list[str] = []
    failing = [
        f for f in (*check_applications(record), *check_review_litigation(record), *check_pre2019(record))
        if f.status == "fail"
    ]
    suspects = {path for f in failing for path in f.paths}
    for path in sorted(p for p, v in values.items() if v is not None and p.split(".", 1)[0] in _TABLES):
        ev = evidence.get(path)
        conf = confidence_at(doc, ev.span if ev else None)
        if conf is None or conf >= DOUBTFUL:
            continue
        read = ev.value if ev else values[path]
        if path in suspects and _set_null(record, path):
            note = f"OCR read {read} with confidence {conf:.2f} and it breaks an identity; left blank"
            if ev is not None:
                evidence[path] = ev.model_copy(update={"value": None, "note": note})
        else:
            note = f"OCR read {read} with confidence {conf:.2f}; kept (no identity it takes part in fails)"
        problems.append(f"{path}: {note}")
    return record, evidence, problems


class OcrShare(BaseModel):
    """How much of a report was read by OCR."""

    pages: int = 0  # OCR'd pages
    chars: int = 0  # characters (not blanks) of Document.text read by OCR
    total_chars: int = 0
    values: int = 0  # non-null table values whose evidence is OCR'd
    total_values: int = 0
    doubtful: int = 0  # of those, read with confidence below DOUBTFUL
    lowest: float | None = None

    def describe(self) -> str:
        if not self.pages:
            return "no part of the report came from OCR"
        pct = 100 * self.chars / self.total_chars if self.total_chars else 0.0
        out = (
            f"OCR: {self.pages} page(s) read from images, {pct:.0f}% of the text "
            f"({self.chars} of {self.total_chars} characters)"
        )
        if self.total_values:
            out += f"; {self.values} of {self.total_values} table values came from OCR"
            if self.values:
                out += f", {self.doubtful} read with confidence below {DOUBTFUL}"
                if self.lowest is not None:
                    out += f" (lowest {self.lowest:.2f})"
        return out


def _visible(text: str) -> int:
    return sum(not ch.isspace() for ch in text)


def ocr_share(doc: Document, record: Record, evidence: dict[str, Evidence]) -> OcrShare:
    """Pages, characters and table values of the report that came from OCR."""
    if not doc.ocr_pages:
        return OcrShare(total_chars=_visible(doc.text))
    spans = [(source_to_text(doc.offsets, a), source_to_text(doc.offsets, b)) for a, b, _ in _ocr_boxes(doc)]
    chars = sum(_visible(doc.text[a:b]) for a, b in spans)
    flat = flatten(record)
    values = [p for p, v in flat.items() if p.split(".", 1)[0] in _TABLES and v is not None]
    confs = [confidence_at(doc, evidence[p].span) if p in evidence else None for p in values]
    read = [c for c in confs if c is not None]
    return OcrShare(
        pages=len(doc.ocr_pages), chars=chars, total_chars=_visible(doc.text), values=len(read),
        total_values=len(values), doubtful=sum(c < DOUBTFUL for c in read), lowest=min(read) if read else None,
    )
