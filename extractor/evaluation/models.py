"""The figures an eval produces, as pydantic models (they are written to ``run.json``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

from extractor.document import Span
from extractor.record import Number, SourceInconsistency

# Field groups of the canonical record, in display order; the four tables are scored cell by cell too.
TABLES: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation", "pre2019")
GROUPS: tuple[str, ...] = ("meta", "sections", *TABLES, "claims", "figures")
# Groups summed into ``overall``: the record's fields. Figures are scored beside them (only on gold files
# that label them), so that adding figures to a gold file does not move the record's overall score.
RECORD_GROUPS: tuple[str, ...] = GROUPS[:-1]

Value = Number | str | None


def _ratio(num: int, den: int) -> float | None:
    """None, not 0, when there is nothing to divide: "no cells" is not "all cells wrong"."""
    return num / den if den else None


class _PrecisionRecall(BaseModel):
    """True/false positives and false negatives, with the precision and recall they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)


class Counts(_PrecisionRecall):
    """Confusion counts of one field, group or run.

    ``tn`` (both null) is reported but left out of F1; ``accepted`` counts
    gold-``unresolvable`` keys where the prediction stayed null. Frozen, so
    instances can be shared.
    """

    model_config = ConfigDict(frozen=True)

    tn: int = 0
    accepted: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn,
            tn=self.tn + other.tn, accepted=self.accepted + other.accepted,
        )


class Rate(BaseModel):
    """``correct`` out of ``total`` (cells, reports, …)."""

    model_config = ConfigDict(frozen=True)

    correct: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        return _ratio(self.correct, self.total)

    def __add__(self, other: Rate) -> Rate:
        return Rate(correct=self.correct + other.correct, total=self.total + other.total)


class WrongCell(BaseModel):
    """A table cell the prediction got wrong, with what the extraction said about it."""

    report: str
    key: str
    gold: Value = None
    got: Value = None
    in_gold: bool = True  # False: the prediction filled a cell the gold table does not have
    in_prediction: bool = True  # False: the prediction has no such cell (table or row missing)
    span: Span | None = None
    text: str | None = None  # the evidence text at ``span``
    note: str | None = None

    @property
    def wrong_value(self) -> bool:
        """A number was given and it is wrong (worse than an honest blank)."""
        return self.got is not None


class ClaimScore(BaseModel):
    """Whole claims: one is right when every number in it is right."""

    gold: int = 0
    predicted: int = 0
    correct: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        return _ratio(self.correct, self.predicted)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        return _ratio(self.correct, self.gold)

    def __add__(self, other: ClaimScore) -> ClaimScore:
        return ClaimScore(
            gold=self.gold + other.gold, predicted=self.predicted + other.predicted,
            correct=self.correct + other.correct,
        )


class CheckScore(_PrecisionRecall):
    """The checker's findings against the gold ``source_inconsistencies``."""

    missed: list[SourceInconsistency] = Field(default_factory=list)
    spurious: list[SourceInconsistency] = Field(default_factory=list)  # flagged, but not in gold


class ReportScore(BaseModel):
    """Every figure for one report."""

    id: str
    layout: str | None = None
    overall: Counts = Field(default_factory=Counts)
    groups: dict[str, Counts] = Field(default_factory=dict)
    # per field path; kept out of run.json (the run-level ``fields`` sums them)
    fields: dict[str, Counts] = Field(default_factory=dict, exclude=True)
    tables: dict[str, Rate] = Field(default_factory=dict)  # cell exact-match per table, over gold cells
    cells: Rate = Field(default_factory=Rate)  # all four tables together
    sections_equal: bool = False
    claims: ClaimScore = Field(default_factory=ClaimScore)
    figures: Counts | None = None  # None: the gold file does not label figures
    kind_right: bool | None = None
    checks: CheckScore | None = None  # None: the prediction carried no findings to score
    wrong_cells: list[WrongCell] = Field(default_factory=list)
    error: str | None = None  # the extraction failed; the report was scored as an empty prediction


class EvalReport(BaseModel):
    """Every figure of one eval run, over all its reports."""

    reports: int = 0
    overall: Counts = Field(default_factory=Counts)
    groups: dict[str, Counts] = Field(default_factory=dict)
    fields: dict[str, Counts] = Field(default_factory=dict)
    tables: dict[str, Rate] = Field(default_factory=dict)
    cells: Rate = Field(default_factory=Rate)
    sections: Rate = Field(default_factory=Rate)  # reports whose heading list is right
    claims: ClaimScore = Field(default_factory=ClaimScore)
    figures: Counts | None = None  # over the gold files that label figures
    kind: Rate = Field(default_factory=Rate)  # reports whose meta.kind is right
    checks: CheckScore | None = None
    per_report: list[ReportScore] = Field(default_factory=list)

    @property
    def wrong_cells(self) -> list[WrongCell]:
        return [cell for report in self.per_report for cell in report.wrong_cells]

    @property
    def failures(self) -> list[str]:
        return [f"{r.id}: {r.error}" for r in self.per_report if r.error]

    def report(self, report_id: str) -> ReportScore:
        for r in self.per_report:
            if r.id == report_id:
                return r
        raise KeyError(f"no report {report_id!r} in this run")
