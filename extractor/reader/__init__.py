"""The deterministic reader: the engine that runs offline and the default without a model.

It reads the standard tables by their fixed structure and the identities the
numbers must obey, the pre-2019 statistics table and prose counts, and the
part-whole / rate statements in prose. Where the text does not decide a
value it leaves ``None`` and says why in ``Reading.problems``.
"""

from __future__ import annotations

from extractor.claims import find_claims
from extractor.document import Document
from extractor.reader.grid import grids_of
from extractor.reader.gridpre2019 import read_pre2019_grid
from extractor.reader.pre2019 import read_pre2019
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
    reading.record.claims = [f.claim for f in found]
    for i, f in enumerate(found):
        reading.evidence[f"claims.{i}"] = Evidence(span=f.span, engine="reader", note="claim")
    return reading
