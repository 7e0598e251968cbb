"""Two readings of one report (the deterministic reader and the model) made into one record.

Each value of the final record is

- **agreed**: both engines read the same value;
- **chosen**: they differ and exactly one reading *satisfies* its checks — the
  value is grounded in the text (its digits occur near its evidence span, or
  anywhere in the text when the engine gave no span) and no identity of spec §3
  that it takes part in fails in that engine's record. The other reading is
  kept in the evidence note;
- **conflicted**: they differ and both or neither satisfy: the reader's value
  is kept (it is deterministic and has spans), flagged, both readings shown.

A blank never satisfies anything (a blank is not a zero), so a model's number
only replaces the reader's blank when that number is grounded and consistent.
Values only one engine read keep that engine as their source.
"""

from __future__ import annotations

from typing import Any

from extractor.checks import (
    GROUNDING_WINDOW,
    check_applications,
    check_pre2019,
    check_review_litigation,
    is_grounded,
)
from extractor.readings import EngineName, Evidence, Reading
from extractor.record import Claim, Record, flatten


def _failing_paths(record: Record) -> set[str]:
    """Cells that take part in an identity that fails in this record."""
    paths: set[str] = set()
    for finding in (*check_applications(record), *check_review_litigation(record), *check_pre2019(record)):
        if finding.status == "fail":
            paths.update(finding.paths)
    return paths


def _grounded(value: Any, evidence: Evidence | None, text: str | None) -> bool:
    """The value's digits occur near its span (or anywhere, without a span); strings and unknown text pass."""
    if text is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    if evidence is not None and evidence.span is not None:
        lo = max(0, evidence.span.start - GROUNDING_WINDOW)
        return is_grounded(value, text[lo : evidence.span.end + GROUNDING_WINDOW])
    if value == 0:
        return False  # a zero without a span cannot be told from a blank
    return is_grounded(value, text)


def _satisfies(path: str, value: Any, reading: Reading, failing: set[str], text: str | None) -> bool:
    if value is None:
        return False
    return path not in failing and _grounded(value, reading.evidence.get(path), text)


def _split(path: str) -> tuple[str, str, str]:
    """``table``, ``row`` (may hold dots, may be empty) and ``column`` of a dotted path."""
    table, rest = path.split(".", 1)
    row, _, col = rest.rpartition(".")
    return table, row, col


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Write one value into a record dumped as a dict, creating a table or row that is absent."""
    table, row, col = _split(path)
    if data.get(table) is None:
        data[table] = {}
    target = data[table]
    if row:
        if target.get(row) is None:
            target[row] = {}
        target = target[row]
    target[col] = value


def _evidence(
    path: str, value: Any, engine: EngineName, source: str, reading: Reading | None, note: str | None = None,
) -> Evidence:
    found = reading.evidence.get(path) if reading is not None else None
    return Evidence(
        value=value, span=found.span if found else None, engine=engine, source=source,  # type: ignore[arg-type]
        note=note if note is not None else (found.note if found else None),
        read_from=found.read_from if found else None,
    )


def _fmt(value: Any) -> str:
    return "空白" if value is None else str(value)


def _claim_key(claim: Claim) -> frozenset:
    """What makes two claims the same statement: their numbers, not the engines' wording of the names."""
    return frozenset(claim.numbers().items())


def merge_claims(first: list[Claim], second: list[Claim]) -> list[Claim]:
    """Claims of both engines, the first engine's wording kept where both found the same statement."""
    seen = {_claim_key(c) for c in first}
    merged = list(first)
    for claim in second:
        key = _claim_key(claim)
        if key not in seen:
            seen.add(key)
            merged.append(claim)
    return merged


def reconcile(reader: Reading, llm: Reading | None, text: str | None) -> tuple[Record, dict[str, Evidence]]:
    """One record from the reader's and (optionally) the model's reading, with per-value provenance.

    ``text`` is ``Document.text`` (for grounding); without it the choice rests
    on the identities alone.
    """
    if llm is None:
        flat = flatten(reader.record)
        evidence = {p: _evidence(p, v, "reader", "reader", reader) for p, v in flat.items() if not p.startswith("meta.")}
        return reader.record.model_copy(deep=True), evidence

    r_flat = {p: v for p, v in flatten(reader.record).items()}
    l_flat = {p: v for p, v in flatten(llm.record).items()}
    r_fail, l_fail = _failing_paths(reader.record), _failing_paths(llm.record)
    data = reader.record.model_dump()
    evidence: dict[str, Evidence] = {}

    for path in dict.fromkeys([*r_flat, *l_flat]):
        in_r, in_l = path in r_flat, path in l_flat
        rv, lv = r_flat.get(path), l_flat.get(path)
        if path.startswith("meta."):
            if rv is None and lv is not None:
                data["meta"][path.split(".", 1)[1]] = lv
            continue
        if in_r and not in_l:
            evidence[path] = _evidence(path, rv, "reader", "reader", reader)
            continue
        if in_l and not in_r:
            _set(data, path, lv)
            evidence[path] = _evidence(path, lv, "llm", "llm", llm)
            continue
        if rv == lv:
            source_reading = reader if path in reader.evidence else llm
            engine: EngineName = "reader" if source_reading is reader else "llm"
            evidence[path] = _evidence(path, rv, engine, "agreed", source_reading)
            continue
        ok_r = _satisfies(path, rv, reader, r_fail, text)
        ok_l = _satisfies(path, lv, llm, l_fail, text)
        if ok_l and not ok_r:
            _set(data, path, lv)
            evidence[path] = _evidence(path, lv, "llm", "chosen", llm, note=f"reader read {_fmt(rv)}")
        elif ok_r and not ok_l:
            evidence[path] = _evidence(path, rv, "reader", "chosen", reader, note=f"llm read {_fmt(lv)}")
        else:
            why = "both satisfy the checks" if ok_r else "neither satisfies the checks"
            evidence[path] = _evidence(
                path, rv, "reader", "conflicted", reader,
                note=f"reader read {_fmt(rv)}, llm read {_fmt(lv)} ({why}); reader's value kept",
            )

    data["claims"] = [c.model_dump() for c in merge_claims(reader.record.claims, llm.record.claims)]
    if not data.get("sections") and llm.record.sections:
        data["sections"] = list(llm.record.sections)
    return Record.model_validate(data), evidence


def conflicts(evidence: dict[str, Evidence]) -> list[str]:
    """Paths whose engines disagreed and could not be settled (for review pages and reports)."""
    return [p for p, e in evidence.items() if e.source == "conflicted"]

