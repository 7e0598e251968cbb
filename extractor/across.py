"""Across reports: the same body in consecutive years, paired and checked against each other.

Agency names are compared after normalisation (NFKC, whitespace, a
government office reporting for its government, higher-level divisions
printed or not) and conservatively: 南京市鼓楼区 never pairs with 福州市鼓楼区.
The rule itself is ``checks.cross_year``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel

from extractor.checks import cross_year
from extractor.readings import Extraction, Finding
from extractor.record import Record, flatten
from extractor.storage import ResultsDB, StoredReport

_OFFICE_SUFFIX = re.compile(r"(人民政府)(办公室|办公厅)$")
_EDGE_PUNCT = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def agency_key(agency: str) -> str:
    """The body's name compared strictly: NFKC, no whitespace, no stray punctuation at the ends."""
    s = unicodedata.normalize("NFKC", agency)
    s = re.sub(r"\s+", "", s)
    return _EDGE_PUNCT.sub("", s)


def agency_alias(agency: str) -> str:
    """A looser key: the office of a people's government (人民政府办公室/办公厅) reports for that government."""
    return _OFFICE_SUFFIX.sub(r"\1", agency_key(agency))


# "淮安市" in 淮安市洪泽区人民政府: higher-level divisions a report may or may not print before its own name.
_DIVISION_PREFIX = re.compile(r"(?:[\u4e00-\u9fff]{2,9}?(?:省|自治区|市|自治州|州|地区|盟))+")
# The shorter name must still start with its own place (洪泽区…), so 河北省教育厅 never matches 教育厅.
_OWN_PLACE = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:区|县|市|旗)")


def same_body(a: str, b: str) -> bool:
    """Whether two printed names are the same reporting body, decided conservatively.

    Equal after ``agency_alias``; or one is the other with its higher-level
    divisions printed in front (洪泽区人民政府 / 淮安市洪泽区人民政府). Two
    districts of the same name in different cities (南京市鼓楼区 / 福州市鼓楼区)
    never match. Used only when no report under the strict name exists in the
    other year, since some offices publish reports of their own beside the
    government's.
    """
    ka, kb = agency_alias(a), agency_alias(b)
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    if not short or not long.endswith(short):
        return False
    prefix = long[: len(long) - len(short)]
    return _DIVISION_PREFIX.fullmatch(prefix) is not None and _OWN_PLACE.match(short) is not None


class ReportRef(BaseModel):
    """A report taking part in cross-year pairing: its record and, from a database, its id and path."""

    id: int | None = None
    path: str | None = None
    record: Record


def _filled(ref: ReportRef) -> int:
    return sum(v is not None for k, v in flatten(ref.record).items() if not k.startswith("meta."))


def pair_consecutive(reports: Sequence[ReportRef]) -> list[tuple[ReportRef, ReportRef]]:
    """(previous year, this year) pairs of annual reports of the same body.

    Each report is paired with a report of the same body for the year before,
    matched by strict name (``agency_key``) first and by ``same_body`` only
    when the strict name finds nothing. When a body has several reports for that year (the
    same report saved as text and as HTML), the one with the most filled cells
    is taken (ties: the later one), so each report is checked once.
    """
    usable = [
        r for r in reports
        if r.record.meta.agency and r.record.meta.year is not None and r.record.meta.kind == "annual_report"
    ]
    filled = {id(r): _filled(r) for r in usable}
    strict = {id(r): agency_key(r.record.meta.agency or "") for r in usable}
    by_year: dict[int, list[ReportRef]] = {}
    for r in usable:
        by_year.setdefault(r.record.meta.year or 0, []).append(r)

    pairs: list[tuple[ReportRef, ReportRef]] = []
    for cur in usable:
        agency, year = cur.record.meta.agency or "", cur.record.meta.year or 0
        before = by_year.get(year - 1, [])
        candidates = [r for r in before if strict[id(r)] == strict[id(cur)]] or [
            r for r in before if same_body(r.record.meta.agency or "", agency)
        ]
        if not candidates:
            continue
        prev = min(candidates, key=lambda r: (-filled[id(r)], r.path or "", r.id or 0))
        pairs.append((prev, cur))
    return pairs


def _as_refs(
    source: str | Path | ResultsDB | Iterable[Record | Extraction | StoredReport | ReportRef],
) -> list[ReportRef]:
    if isinstance(source, (str, Path)):
        with ResultsDB.open_existing(source) as db:
            return _as_refs(db)
    if isinstance(source, ResultsDB):
        return [ReportRef(id=i, path=path, record=record) for i, path, record in source.records()]
    refs = []
    for item in source:
        if isinstance(item, ReportRef):
            refs.append(item)
        elif isinstance(item, StoredReport):
            if item.extraction is not None:
                refs.append(ReportRef(id=item.id, path=item.path, record=item.extraction.record))
        elif isinstance(item, Extraction):
            refs.append(ReportRef(record=item.record))
        else:
            refs.append(ReportRef(record=item, path=item.source))
    return refs


def cross_year_findings(
    source: str | Path | ResultsDB | Iterable[Record | Extraction | StoredReport | ReportRef],
) -> list[tuple[ReportRef, ReportRef, Finding]]:
    """(previous, current, finding) for every consecutive-year pair of the same body."""
    return [
        (prev, cur, finding)
        for prev, cur in pair_consecutive(_as_refs(source))
        for finding in cross_year(prev.record, cur.record)
    ]


def check_across(
    source: str | Path | ResultsDB | Iterable[Record | Extraction | StoredReport | ReportRef],
) -> list[Finding]:
    """Cross-year findings over a batch's output directory, its database file, or given records.

    Each finding's ``where`` (which already names the two years) is prefixed
    with the body and, when known, the two files, since the list spans many
    reports.
    """
    out = []
    for prev, cur, finding in cross_year_findings(source):
        label = cur.record.meta.agency or ""
        if prev.path and cur.path:
            label += f" ({Path(prev.path).name} → {Path(cur.path).name})"
        out.append(finding.model_copy(update={"where": f"{label}: {finding.where}"}))
    return out


def update_cross_year(db: ResultsDB) -> int:
    """Recompute the database's cross-year findings; returns how many fail."""
    items = cross_year_findings(db)
    db.replace_cross_year_findings(
        (prev.id, cur.id, finding) for prev, cur, finding in items if prev.id is not None and cur.id is not None
    )
    return sum(f.status == "fail" for _, _, f in items)
