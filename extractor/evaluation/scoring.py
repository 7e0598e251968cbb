"""Score predicted records against gold records (pure: records in, figures out).

Rules (see ``shared/spec/report-format.md``):

- a leaf is a TP when both sides hold the same non-null value; both null is a
  TN (reported, not in F1); a value where gold is null is an FP; a null where
  gold has a value is an FN; a wrong value is both an FP and an FN;
- null and 0 differ; numbers compare exactly by value (5 == 5.0); strings
  compare after NFKC with whitespace removed;
- gold ``unresolvable`` keys accept a null prediction, and are not scored at
  all where gold itself is null;
- claims are paired by value (``match_claims``) before their numbers are scored;
- findings are scored against gold ``source_inconsistencies``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from extractor.checks import (
    SOURCE_RULES,  # other findings (grounding, empty_table) concern the extraction
)
from extractor.evaluation.align import claim_numbers, match_claims
from extractor.evaluation.models import (
    GROUPS,
    RECORD_GROUPS,
    TABLES,
    CheckScore,
    ClaimScore,
    Counts,
    EvalReport,
    Rate,
    ReportScore,
    Value,
    WrongCell,
)
from extractor.normalize import compact, normalize
from extractor.numbers import decimals
from extractor.readings import Evidence, Finding
from extractor.record import Claim, Figure, Number, Record, SourceInconsistency, flatten

_SNIPPET = 80


class Case(BaseModel):
    """One report to score: its gold record and what an extraction produced."""

    id: str
    gold: Record
    predicted: Record
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    findings: list[Finding] | None = None  # None: nothing to score the checker on
    text: str | None = None  # ``Document.text``, to quote the evidence of wrong cells
    error: str | None = None  # the extraction failed (``predicted`` is then empty)


# ------------------------------------------------------------------ values
def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def normalize_text(text: str) -> str:
    """How gold and extracted headings and names are compared: NFKC, whitespace removed."""
    return compact(normalize(text))


def same_value(gold: Value, got: Value) -> bool:
    """Equal values; null equals only null (null is not 0)."""
    if gold is None or got is None:
        return gold is None and got is None
    if _is_number(gold) and _is_number(got):
        return gold == got
    if isinstance(gold, str) and isinstance(got, str):
        return normalize_text(gold) == normalize_text(got)
    return False


class _Tally:
    """Mutable confusion counts for the hot loops (pydantic models are built once, at the end)."""

    __slots__ = ("tp", "fp", "fn", "tn", "accepted")

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = self.accepted = 0

    def add(self, c: Counts | _Tally) -> None:
        self.tp += c.tp
        self.fp += c.fp
        self.fn += c.fn
        self.tn += c.tn
        self.accepted += c.accepted

    def counts(self) -> Counts:
        return Counts(tp=self.tp, fp=self.fp, fn=self.fn, tn=self.tn, accepted=self.accepted)


_TN, _TP, _FP, _FN, _WRONG, _ACCEPTED = (
    Counts(tn=1), Counts(tp=1), Counts(fp=1), Counts(fn=1), Counts(fp=1, fn=1), Counts(accepted=1)
)


def _count(gold: Value, got: Value) -> Counts:
    if gold is None:
        return _TN if got is None else _FP
    if got is None:
        return _FN
    return _TP if same_value(gold, got) else _WRONG


def _tally_up(items: Iterable[tuple[str, Counts]]) -> dict[str, Counts]:
    """Sum counts by key, in first-seen key order (a key seen once keeps its own, frozen, Counts)."""
    sums: dict[str, Counts | _Tally] = {}
    for key, c in items:
        current = sums.get(key)
        if current is None:
            sums[key] = c
            continue
        if isinstance(current, Counts):
            tally = _Tally()
            tally.add(current)
            sums[key] = current = tally
        current.add(c)
    return {key: c.counts() if isinstance(c, _Tally) else c for key, c in sums.items()}


def _group_of(path: str) -> str:
    return path.split(".", 1)[0]


# ------------------------------------------------------------------ fields and cells
def _score_fields(case: Case, report: ReportScore) -> list[tuple[str, Counts]]:
    """Leaf counts by path; fills the report's cell rates and wrong cells on the way."""
    gold, got = flatten(case.gold), flatten(case.predicted)
    unresolvable = set(case.gold.unresolvable or ())
    leaves: list[tuple[str, Counts]] = []
    cells: dict[str, list[int]] = {}  # table -> [correct, total]
    for path in dict.fromkeys([*gold, *got]):
        g, p = gold.get(path), got.get(path)
        if path in unresolvable and g is None:
            continue  # nobody can tell: not scored
        counts = _ACCEPTED if path in unresolvable and p is None else _count(g, p)
        leaves.append((path, counts))
        table = _group_of(path)
        if table not in TABLES:
            continue
        in_gold, in_prediction = path in gold, path in got
        # A blank cell is right only when the prediction has the cell: a missing table is not "all blank".
        right = counts is _TP or counts is _ACCEPTED or (counts is _TN and in_prediction)
        if in_gold:
            rate = cells.setdefault(table, [0, 0])
            rate[0] += right
            rate[1] += 1
        if not right and (in_gold or p is not None):
            report.wrong_cells.append(_wrong_cell(case, path, g, p, in_gold, in_prediction))
    report.tables = {t: Rate(correct=cells[t][0], total=cells[t][1]) for t in TABLES if t in cells}
    return leaves


def _wrong_cell(
    case: Case, path: str, gold: Value, got: Value, in_gold: bool, in_prediction: bool
) -> WrongCell:
    evidence = case.evidence.get(path)
    span = evidence.span if evidence else None
    text = None
    if span is not None and case.text is not None:
        text = span.slice(case.text)[:_SNIPPET]
    return WrongCell(
        report=case.id, key=path, gold=gold, got=got, in_gold=in_gold, in_prediction=in_prediction,
        span=span, text=text,
        note=evidence.note if evidence else None,
    )


# ------------------------------------------------------------------ sections
def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def score_sections(gold: Sequence[str], got: Sequence[str]) -> tuple[Counts, bool]:
    """Headings in order (longest common subsequence) and whether the lists are equal."""
    g = [normalize_text(h) for h in gold]
    p = [normalize_text(h) for h in got]
    common = _lcs(g, p)
    counts = Counts(tp=common, fp=len(p) - common, fn=len(g) - common, tn=int(not g and not p))
    return counts, g == p


# ------------------------------------------------------------------ claims
def _claim_fields(gold: Claim | None, got: Claim | None) -> list[tuple[str, Counts]]:
    """Number-level counts of one claim pair (either side may be missing)."""
    empty = Claim()
    g, p = gold or empty, got or empty
    out: list[tuple[str, Counts]] = []
    g_total = g.total.value if g.total else None
    p_total = p.total.value if p.total else None
    if g_total is not None or p_total is not None:
        out.append(("claims.total", _count(g_total, p_total)))
    if g.parts or p.parts:
        common = sum((claim_numbers(Claim(parts=g.parts)) & claim_numbers(Claim(parts=p.parts))).values())
        out.append(("claims.parts", Counts(tp=common, fp=len(p.parts) - common, fn=len(g.parts) - common)))
    if g.rate is not None or p.rate is not None:
        for role in ("percent", "numerator", "denominator"):
            g_value = getattr(g.rate, role) if g.rate else None
            p_value = getattr(p.rate, role) if p.rate else None
            out.append((f"claims.rate.{role}", _count(g_value, p_value)))
    return out


def score_claims(gold: Sequence[Claim], got: Sequence[Claim]) -> tuple[dict[str, Counts], ClaimScore]:
    """Pair claims by value, then count their numbers; a claim is right when all its numbers are."""
    leaves: list[tuple[str, Counts]] = []
    correct = 0
    for i, j in match_claims(gold, got):
        g = gold[i] if i is not None else None
        p = got[j] if j is not None else None
        leaves += _claim_fields(g, p)
        if g is not None and p is not None and claim_numbers(g) == claim_numbers(p):
            correct += 1
    return _tally_up(leaves), ClaimScore(gold=len(gold), predicted=len(got), correct=correct)


# ------------------------------------------------------------------ figures
_PUNCT = re.compile(r"[\W_]+")


def figure_name_key(name: str) -> str:
    """A figure's name as compared: NFKC, whitespace and punctuation removed."""
    return _PUNCT.sub("", normalize_text(name))


def names_overlap(a: str, b: str) -> bool:
    """Spec "figures": one name contains the other, or at least half of the shorter one's characters
    occur in the longer one (after NFKC and removing whitespace and punctuation)."""
    x, y = figure_name_key(a), figure_name_key(b)
    if not x or not y:
        return x == y
    if x in y or y in x:
        return True
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return 2 * sum(ch in long_ for ch in short) >= len(short)


def figures_match(gold: Figure, got: Figure) -> bool:
    """Same value, same unit (null only with null), overlapping names."""
    unit = (normalize_text(gold.unit) if gold.unit else None) == (normalize_text(got.unit) if got.unit else None)
    return unit and _is_number(got.value) and gold.value == got.value and names_overlap(gold.name, got.name)


def score_figures(gold: Sequence[Figure], got: Sequence[Figure]) -> Counts:
    """Precision/recall over figures, matched one to one (equal names first, then overlapping ones)."""
    used: set[int] = set()
    unmatched: list[Figure] = []
    for figure in got:
        exact = next((i for i, g in enumerate(gold) if i not in used and figures_match(g, figure)
                      and figure_name_key(g.name) == figure_name_key(figure.name)), None)
        if exact is None:
            unmatched.append(figure)
        else:
            used.add(exact)
    fp = 0
    for figure in unmatched:
        hit = next((i for i, g in enumerate(gold) if i not in used and figures_match(g, figure)), None)
        if hit is None:
            fp += 1
        else:
            used.add(hit)
    tp = len(used)
    return Counts(tp=tp, fp=fp, fn=len(gold) - tp)


# ------------------------------------------------------------------ checks
def _close(gold: Number | None, got: Number | None) -> bool:
    """Equal within half a unit of the last digit gold printed (gold 146.15 accepts 146.1538…)."""
    if gold is None or got is None:
        return gold is None and got is None
    return math.isclose(gold, got, abs_tol=0.5 * 10 ** -decimals(gold) + 1e-9)


def score_findings(gold: Sequence[SourceInconsistency], findings: Iterable[Finding]) -> CheckScore:
    """Match failed findings to gold inconsistencies on rule + stated + computed, one to one."""
    flagged = [f for f in findings if f.status == "fail" and f.rule in SOURCE_RULES]
    used: set[int] = set()
    score = CheckScore()
    for item in gold:
        hit = next(
            (k for k, f in enumerate(flagged)
             if k not in used and f.rule == item.rule and same_value(item.stated, f.stated)
             and _close(item.computed, f.computed)),
            None,
        )
        if hit is None:
            score.fn += 1
            score.missed.append(item)
        else:
            used.add(hit)
            score.tp += 1
    for k, f in enumerate(flagged):
        if k not in used:
            score.fp += 1
            score.spurious.append(SourceInconsistency(rule=f.rule, where=f.where, stated=f.stated, computed=f.computed))
    return score


def _add_checks(a: CheckScore | None, b: CheckScore | None) -> CheckScore | None:
    if a is None or b is None:
        return a or b
    return CheckScore(
        tp=a.tp + b.tp, fp=a.fp + b.fp, fn=a.fn + b.fn,
        missed=[*a.missed, *b.missed], spurious=[*a.spurious, *b.spurious],
    )


# ------------------------------------------------------------------ reports and runs
def score_case(case: Case) -> ReportScore:
    """Every figure for one report."""
    report = ReportScore(id=case.id, layout=case.gold.meta.layout, error=case.error)
    leaves = _score_fields(case, report)
    sections, report.sections_equal = score_sections(case.gold.sections, case.predicted.sections)
    claim_fields, report.claims = score_claims(case.gold.claims, case.predicted.claims)
    report.fields = {**_tally_up(leaves), "sections": sections, **claim_fields}
    if case.gold.figures is not None:
        report.figures = score_figures(case.gold.figures, case.predicted.figures or [])
        report.fields["figures"] = report.figures
    report.kind_right = case.gold.meta.kind == case.predicted.meta.kind
    report.groups = _by_group(report.fields)
    report.overall = _tally_up(("", c) for g, c in report.groups.items() if g in RECORD_GROUPS).get("", Counts())
    report.cells = sum(report.tables.values(), Rate())
    if case.findings is not None:
        report.checks = score_findings(case.gold.source_inconsistencies or [], case.findings)
    return report


def _by_group(fields: dict[str, Counts]) -> dict[str, Counts]:
    groups = _tally_up((_group_of(path), c) for path, c in fields.items())
    return {g: groups[g] for g in GROUPS if g in groups}


def summarize(reports: Sequence[ReportScore]) -> EvalReport:
    """Micro-averaged run figures from per-report scores."""
    run = EvalReport(reports=len(reports), per_report=list(reports))
    run.fields = dict(sorted(_tally_up(item for r in reports for item in r.fields.items()).items()))
    run.groups = _by_group(run.fields)
    run.overall = _tally_up(("", r.overall) for r in reports).get("", Counts())
    scored = [r.figures for r in reports if r.figures is not None]
    run.figures = _tally_up(("", c) for c in scored).get("", Counts()) if scored else None
    kinds = [r.kind_right for r in reports if r.kind_right is not None]
    run.kind = Rate(correct=sum(kinds), total=len(kinds))
    tables = {t: [r.tables[t] for r in reports if t in r.tables] for t in TABLES}
    run.tables = {t: sum(rates, Rate()) for t, rates in tables.items() if rates}
    run.cells = sum(run.tables.values(), Rate())
    run.sections = Rate(correct=sum(r.sections_equal for r in reports), total=len(reports))
    run.claims = sum((r.claims for r in reports), ClaimScore())
    for r in reports:
        run.checks = _add_checks(run.checks, r.checks)
    return run


def score(cases: Iterable[Case]) -> EvalReport:
    """Score every case and sum the figures (micro averages)."""
    return summarize([score_case(case) for case in cases])
