"""Several runs' figures side by side, with deltas against the first (the baseline)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, computed_field

from extractor.evaluation.models import GROUPS, TABLES, EvalReport


class CompareRow(BaseModel):
    """One figure (e.g. ``applications`` F1) in every run."""

    label: str
    metric: str
    values: list[float | None]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deltas(self) -> list[float | None]:
        """Each run minus the first; None where either side has no figure."""
        base = self.values[0] if self.values else None
        return [None if base is None or v is None else v - base for v in self.values[1:]]


def compare_reports(reports: Sequence[EvalReport]) -> list[CompareRow]:
    """Overall and per-group P/R/F1, cell accuracy per table, sections, claims and checks."""
    rows: list[CompareRow] = []

    def add(label: str, metric: str, values: list[float | None]) -> None:
        if any(v is not None for v in values):
            rows.append(CompareRow(label=label, metric=metric, values=values))

    for metric in ("precision", "recall", "f1"):
        add("overall", metric, [getattr(r.overall, metric) for r in reports])
    for group in GROUPS:
        for metric in ("precision", "recall", "f1"):
            add(group, metric, [getattr(r.groups[group], metric) if group in r.groups else None for r in reports])
        if group in TABLES:
            add(group, "cell accuracy", [r.tables[group].rate if group in r.tables else None for r in reports])
    add("all tables", "cell accuracy", [r.cells.rate for r in reports])
    add("sections", "reports right", [r.sections.rate for r in reports])
    add("kind", "reports right", [r.kind.rate for r in reports])
    add("whole claims", "precision", [r.claims.precision for r in reports])
    add("whole claims", "recall", [r.claims.recall for r in reports])
    add("checks", "precision", [r.checks.precision if r.checks else None for r in reports])
    add("checks", "recall", [r.checks.recall if r.checks else None for r in reports])
    return rows
