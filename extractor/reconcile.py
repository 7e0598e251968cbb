"""Two readings of one report (the deterministic reader and the model) made into one record.

A model's value is evidence, not truth. Each value of the final record is

- **agreed**: both engines read the same value;
- **the reader's**, when the model left the cell blank;
- **conflicted**: both read a number and the numbers differ. The reader's value
  is kept (it is deterministic and has spans) and both readings are shown. A
  model value never replaces a printed number the reader read: a table that is
  inconsistent as printed must stay inconsistent, and a model that "corrects"
  it (a transposed block that happens to add up) cannot be told from one that
  misread it;
- **the model's** (``llm``), only for a cell the reader left blank, and only when
  the model's answer for that section passed validation, the value is printed
  as a whole number in the row it quoted (a zero as a printed 0 or 无/未 in that
  row; the row's values all printed there, each number used once), a count
  column holds a whole number, and every identity of spec §3 the cell takes part
  in holds once the cell is filled (an identity left incomplete does not hold).
  Otherwise the cell stays blank and the model's reading is kept as a conflict note.

Meta: the model's value is used where the detector's is missing or implausible
(an agency that is not a body's name; a work summary called an annual report)
and the model's is printed in the text. Claims are matched one to one (the same
numbers, or the same total name or shared numbers in the same sentence); the
reader's claim is kept for every match, and an unmatched model claim is added
only when its numbers are printed in its quote and it adds up.
"""

from __future__ import annotations

from typing import Any

from extractor import identities
from extractor.checks import check_claims
from extractor.grounding import number_printed, printed_numbers, row_numbers_printed
from extractor.identities import IdentityResult
from extractor.meta import is_body_name
from extractor.readings import EngineName, Evidence, EvidenceSource, Reading
from extractor.record import PRE2019_CASE_GROUPS, Claim, Figure, Record, flatten

TABLES: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation", "pre2019")
AMOUNT_COLUMNS: frozenset[str] = frozenset({"amount_10k_yuan", "fees_10k_yuan", "amount"})
FAILED_NOTE = "kept after failed validation"  # how the model engine marks an answer that failed its rules
APART_NOTE = "printed apart from its quoted label"  # the model's value was found away from the row it quoted


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
    path: str, value: Any, engine: EngineName, source: EvidenceSource, reading: Reading | None, note: str | None = None,
) -> Evidence:
    found = reading.evidence.get(path) if reading is not None else None
    return Evidence(
        value=value, span=found.span if found else None, engine=engine, source=source,
        note=note if note is not None else (found.note if found else None),
        read_from=found.read_from if found else None,
    )


def _fmt(value: Any) -> str:
    return "空白" if value is None else str(value)


# ------------------------------------------------------------------ cells
def identity_results(record: Record) -> list[IdentityResult]:
    """Every identity of spec §3 on the record's tables (table 三, 四 and the pre-2019 sums)."""
    results: list[IdentityResult] = []
    if record.applications is not None:
        table3 = {row: counts.model_dump() for row, counts in record.applications.items()}
        results += identities.application_identities(table3, record.meta.layout)
    if record.review_litigation is not None:
        results += identities.review_identities({g: o.model_dump() for g, o in record.review_litigation.items()})
    if record.pre2019 is not None:
        p = record.pre2019
        values = {
            f"{n}.{k}": v for n in ("applications", *PRE2019_CASE_GROUPS) for k, v in getattr(p, n).model_dump().items()
        }
        results += identities.pre2019_sums(values)
    return results


def _row_values(llm: Reading, path: str, flat: dict[str, Any]) -> list[Any]:
    """The model's non-blank values quoted with ``path`` (the cells of its row, or of the rows sharing its
    quote), in printed order."""
    span = llm.evidence[path].span
    return [
        v for p, v in flat.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
        and p in llm.evidence and llm.evidence[p].span == span
    ]


def fill_problem(path: str, value: Any, llm: Reading, l_flat: dict[str, Any], text: str | None) -> str | None:
    """Why the model's ``value`` may not fill the reader's blank at ``path`` (None: it may, identities aside)."""
    ev = llm.evidence.get(path)
    if ev is None or ev.span is None or text is None:
        return "no quote found in the text"
    if ev.note and FAILED_NOTE in ev.note:
        return "the answer failed validation"
    if ev.note and APART_NOTE in ev.note:
        return "its quote does not print it"
    col = _split(path)[2]
    if isinstance(value, str):
        return None
    if col not in AMOUNT_COLUMNS and isinstance(value, float) and not value.is_integer():
        return "a count column holds a whole number"
    row = text[ev.span.start : ev.span.end]
    if not row_numbers_printed(_row_values(llm, path, l_flat), row):
        return f"its row “{row[:40]}” does not print the values the model gave"
    return None


def _unsettled(record: Record, candidates: set[str]) -> set[str]:
    """Candidates taking part in an identity that does not hold (fails, or cannot be checked)."""
    bad: set[str] = set()
    for result in identity_results(record):
        if not result.holds:
            bad.update(p for p in result.paths if p in candidates)
    return bad


def _fill(data: dict[str, Any], fills: dict[str, Any]) -> tuple[Record, set[str]]:
    """The reader's record with as many of ``fills`` as pass every identity they take part in (a fixpoint:
    dropping one fill can leave another's identity incomplete)."""
    kept = dict(fills)
    while True:
        trial = Record.model_validate(data).model_dump()
        for path, value in kept.items():
            _set(trial, path, value)
        record = Record.model_validate(trial)
        bad = _unsettled(record, set(kept))
        if not bad:
            return record, set(fills) - set(kept)
        for path in bad:
            kept.pop(path)


# ------------------------------------------------------------------ meta
def _meta_choice(field: str, rv: Any, lv: Any, llm: Reading, text: str | None, record: Record) -> bool:
    """Whether the model's meta value replaces the detector's."""
    if lv is None or rv == lv:
        return False
    ev = llm.evidence.get(f"meta.{field}")
    grounded = ev is not None and ev.span is not None and not (ev.note and FAILED_NOTE in ev.note)
    if field == "agency":
        return grounded and is_body_name(str(lv)) and (rv is None or not is_body_name(str(rv)))
    if field in ("year", "published"):
        return grounded and rv is None
    if field == "kind":
        # the text's structure decides: an annual report under the disclosure regulation prints its tables or
        # at least names 政府信息公开 (its title, the regulation, its sections); a work summary does neither
        tables = (record.active_disclosure, record.applications, record.review_litigation)
        no_tables = all(table is None for table in tables)
        names_disclosure = text is not None and (text.count("政府信息公开") >= 2 or "年度报告" in text)
        return lv == "work_summary" and rv == "annual_report" and no_tables and not names_disclosure
    return False


# ------------------------------------------------------------------ claims and figures
def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span: from the previous 。/；/line break to the next."""
    lo = max(text.rfind(c, 0, start) for c in "。；;\n") + 1
    ends = [i for i in (text.find(c, end) for c in "。；;\n") if i >= 0]
    return lo, (min(ends) + 1 if ends else len(text))


def _claim_names(claim: Claim) -> set[str]:
    names = {claim.total.name} if claim.total else set()
    if claim.rate is not None:
        names.add(claim.rate.name)
    return {"".join(n.split()) for n in names if n}


def _same_sentence(sa: tuple[int, int] | None, sb: tuple[int, int] | None) -> bool:
    return sa is not None and sb is not None and sa[0] < sb[1] and sb[0] < sa[1]


def _same_statement(
    a: Claim, sa: tuple[int, int] | None, b: Claim, sb: tuple[int, int] | None, *, loose: bool
) -> bool:
    """Strict: the same numbers in the same roles. Loose: in the same sentence, of the same shape (a sum or a
    rate), and sharing a name or a number, so that a misread number still pairs the two readings."""
    if a.numbers() == b.numbers():
        return True
    if not loose or not _same_sentence(sa, sb) or (a.rate is None) != (b.rate is None):
        return False
    shared_numbers = {v for _, v in a.numbers()} & {v for _, v in b.numbers()}
    return bool(_claim_names(a) & _claim_names(b)) or bool(shared_numbers)


def _claim_sentence(reading: Reading, i: int, text: str | None) -> tuple[int, int] | None:
    ev = reading.evidence.get(f"claims.{i}")
    if ev is None or ev.span is None or text is None:
        return None
    return _sentence(text, ev.span.start, ev.span.end)


def _claim_grounded(claim: Claim, ev: Evidence | None, text: str | None) -> bool:
    if ev is None or ev.span is None or text is None or (ev.note and FAILED_NOTE in ev.note):
        return False
    quote = text[ev.span.start : ev.span.end]
    return all(number_printed(v, quote, zero_words=False) for _, v in claim.numbers())


def merge_claims(
    reader: Reading, llm: Reading, text: str | None
) -> tuple[list[Claim], dict[str, Evidence]]:
    """The reader's claims, each matched to at most one model claim, plus model claims that match none and
    are grounded and add up. Evidence keys ``claims.N`` follow the merged order."""
    r_claims, l_claims = reader.record.claims, llm.record.claims
    r_sent = [_claim_sentence(reader, i, text) for i in range(len(r_claims))]
    l_sent = [_claim_sentence(llm, j, text) for j in range(len(l_claims))]
    matched: dict[int, int] = {}  # reader index -> model index
    used: set[int] = set()
    for loose in (False, True):  # the same numbers first, then a misreading of the same statement
        for j, m in enumerate(l_claims):
            if j in used:
                continue
            for i, r in enumerate(r_claims):
                if i not in matched and _same_statement(r, r_sent[i], m, l_sent[j], loose=loose):
                    matched[i] = j
                    used.add(j)
                    break
    merged: list[Claim] = []
    evidence: dict[str, Evidence] = {}
    for i, claim in enumerate(r_claims):
        key = f"claims.{len(merged)}"
        found = reader.evidence.get(f"claims.{i}")
        if i in matched:
            other = l_claims[matched[i]]
            same = other.numbers() == claim.numbers()
            note = None if same else f"llm read {sorted(v for _, v in other.numbers())}; reader's claim kept"
            evidence[key] = Evidence(value=found.value if found else None, span=found.span if found else None,
                                     engine="reader", source="agreed" if same else "conflicted", note=note)
        elif found is not None:
            evidence[key] = found.model_copy(update={"engine": "reader", "source": "reader"})
        merged.append(claim)
    for j, claim in enumerate(l_claims):
        ev = llm.evidence.get(f"claims.{j}")
        if j in used or ev is None or not _claim_grounded(claim, ev, text):
            continue
        if any(c.numbers() == claim.numbers() and _claim_names(c) == _claim_names(claim) for c in merged):
            continue  # the same statement given twice (quoted from two sentences that repeat it)
        if any(c.numbers() == claim.numbers() and _same_sentence(r_sent[i], l_sent[j]) for i, c in enumerate(r_claims)):
            continue  # a statement the reader already has, named otherwise
        if check_claims(Record(claims=[claim])):
            continue  # a claim only the model saw, and it does not add up: a misreading until shown otherwise
        evidence[f"claims.{len(merged)}"] = ev.model_copy(update={"engine": "llm", "source": "llm"})
        merged.append(claim)
    return merged, evidence


def merge_figures(reader: Reading, llm: Reading, text: str | None) -> tuple[list[Figure], dict[str, Evidence]]:
    """The reader's figures, plus the model's that the reader does not have and that are printed in their quote."""
    merged = list(reader.record.figures or [])
    evidence = {k: v for k, v in reader.evidence.items() if k.startswith("figures.")}
    have = {(f.value, f.unit) for f in merged}
    for j, figure in enumerate(llm.record.figures or []):
        ev = llm.evidence.get(f"figures.{j}")
        if (figure.value, figure.unit) in have or ev is None or ev.span is None or text is None:
            continue
        if ev.note and FAILED_NOTE in ev.note:
            continue
        if figure.value not in printed_numbers(text[ev.span.start : ev.span.end]):
            continue
        have.add((figure.value, figure.unit))
        evidence[f"figures.{len(merged)}"] = ev.model_copy(update={"engine": "llm", "source": "llm"})
        merged.append(figure)
    return merged, evidence


# ------------------------------------------------------------------ the record
def reconcile(reader: Reading, llm: Reading | None, text: str | None) -> tuple[Record, dict[str, Evidence]]:
    """One record from the reader's and (optionally) the model's reading, with per-value provenance.

    ``text`` is ``Document.text`` (for grounding); without it no model value
    can be grounded, so the model only ever agrees or conflicts.
    """
    evidence: dict[str, Evidence]
    if llm is None:
        flat = flatten(reader.record)
        evidence = {
            p: _evidence(p, v, "reader", "reader", reader) for p, v in flat.items() if not p.startswith("meta.")
        }
        evidence.update({k: v for k, v in reader.evidence.items() if k.startswith(("claims.", "figures."))})
        return reader.record.model_copy(deep=True), evidence

    r_flat, l_flat = flatten(reader.record), flatten(llm.record)
    data = reader.record.model_dump()
    evidence = {}
    fills: dict[str, Any] = {}
    refused: dict[str, str] = {}

    for path in dict.fromkeys([*r_flat, *l_flat]):
        rv, lv = r_flat.get(path), l_flat.get(path)
        if path.startswith("meta."):
            field = path.split(".", 1)[1]
            if _meta_choice(field, rv, lv, llm, text, reader.record):
                data["meta"][field] = lv
                evidence[path] = _evidence(path, lv, "llm", "chosen", llm, note=f"detector read {_fmt(rv)}")
                if field == "kind":  # a work summary has no layout
                    data["meta"]["layout"] = None
                    read = f"detector read {_fmt(r_flat.get('meta.layout'))}"
                    evidence["meta.layout"] = _evidence("meta.layout", None, "llm", "chosen", llm, note=read)
            continue
        if lv is None or rv == lv:
            if path in r_flat:
                source: EvidenceSource = "agreed" if rv == lv and rv is not None else "reader"
                evidence[path] = _evidence(path, rv, "reader", source, reader)
            continue
        if rv is not None:
            evidence[path] = _evidence(
                path, rv, "reader", "conflicted", reader,
                note=f"reader read {_fmt(rv)}, llm read {_fmt(lv)}; a model value never replaces a printed "
                "number the reader read: reader's value kept",
            )
            continue
        problem = fill_problem(path, lv, llm, l_flat, text)
        if problem is None:
            fills[path] = lv
        else:
            refused[path] = problem

    record, unsettled = _fill(data, fills)
    for path in unsettled:
        refused[path] = "an identity it takes part in does not hold (or cannot be checked) with it"
    for path, value in fills.items():
        if path not in unsettled:
            evidence[path] = _evidence(path, value, "llm", "llm", llm, note="the reader left this cell blank")
    for path, why in refused.items():
        evidence[path] = _evidence(
            path, r_flat.get(path), "reader", "conflicted", reader,
            note=f"reader read 空白, llm read {_fmt(l_flat.get(path))}, not used: {why}",
        )

    claims, claim_evidence = merge_claims(reader, llm, text)
    figures, figure_evidence = merge_figures(reader, llm, text)
    evidence.update(claim_evidence)
    evidence.update(figure_evidence)
    update: dict[str, Any] = {"claims": claims, "figures": figures if figures else reader.record.figures}
    if not record.sections and llm.record.sections:
        update["sections"] = list(llm.record.sections)
    return record.model_copy(update=update), evidence


def conflicts(evidence: dict[str, Evidence]) -> list[str]:
    """Paths whose engines disagreed and could not be settled (for review pages and reports)."""
    return [p for p, e in evidence.items() if e.source == "conflicted"]
