"""The deterministic reader: the engine that runs offline and the default without a model.

It reads the standard tables by their fixed structure and the identities the
numbers must obey, the pre-2019 statistics table and prose counts, and the
part-whole / rate statements in prose. Where the text does not decide a
value it leaves ``None`` and says why in ``Reading.problems``.
"""

from __future__ import annotations

from extractor.claims import find_claims
from extractor.document import Document, Span
from extractor.figures import find_figures
from extractor.reader.grid import grids_of
from extractor.reader.gridpre2019 import read_pre2019_grid
from extractor.reader.pre2019 import read_pre2019, statistics_table_span
from extractor.reader.tables import read_tables
from extractor.readings import Evidence, Reading
from extractor.record import Meta, Record
from extractor.sections import Section

__all__ = ["read_document"]


def read_document(doc: Document, sections: list[Section], meta: Meta) -> Reading:
    """Everything the reader can read from one report, for the layout ``meta`` detected."""
    if meta.layout == "pre2019":
        # the statistics table from the file's own grid when one holds it, else from the text
        reading = read_pre2019(doc, sections, read_pre2019_grid(grids_of(doc.tables)))
    elif meta.layout in ("2019", "2021"):
        reading = read_tables(doc, sections, meta.layout)
    else:
        reading = Reading(engine="reader", record=Record())
    found = find_claims(doc.text)
    reading.record.claims = [c.claim for c in found]
    for i, c in enumerate(found):
        reading.evidence[f"claims.{i}"] = Evidence(span=c.span, engine="reader", note="claim")
    figures = find_figures(doc.text, _table_regions(doc.text, reading))
    reading.record.figures = [f.figure for f in figures]
    for i, f in enumerate(figures):
        reading.evidence[f"figures.{i}"] = Evidence(value=f.figure.value, span=f.span, engine="reader", note="figure")
    return reading


_TABLES = ("active_disclosure", "applications", "review_litigation")


def _table_regions(text: str, reading: Reading) -> list[Span]:
    """Where the tables are whose cells have their own keys: from the first to the last cell read of
    each of tables 二/三/四, and the pre-2019 statistics table (spec "figures": cells are not figures)."""
    regions: list[Span] = []
    for table in _TABLES:
        spans = [ev.span for path, ev in reading.evidence.items() if path.startswith(table + ".") and ev.span]
        if spans:
            regions.append(Span(start=min(s.start for s in spans), end=max(s.end for s in spans)))
    stats = statistics_table_span(text)
    if stats is not None:
        regions.append(stats)
    return regions
