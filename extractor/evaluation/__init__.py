"""Scoring extractions against the hand-labelled eval set.

- ``align``: pairing claim list items by value (``match_claims``).
- ``scoring``: gold + predicted records in, an ``EvalReport`` out (pure).
- ``compare``: several runs' figures side by side.
- ``runner``: the eval set on disk, running the pipeline, the run directory.
"""

from extractor.evaluation.align import claim_similarity, match_claims
from extractor.evaluation.compare import CompareRow, compare_reports
from extractor.evaluation.models import (
    GROUPS,
    TABLES,
    CheckScore,
    ClaimScore,
    Counts,
    EvalReport,
    Rate,
    ReportScore,
    WrongCell,
)
from extractor.evaluation.runner import (
    EvalRun,
    EvalSet,
    RunManifest,
    load_eval_set,
    load_run,
    run_eval,
    summary,
    write_run,
)
from extractor.evaluation.scoring import Case, same_value, score, score_case, score_findings, summarize

__all__ = [
    "GROUPS", "TABLES", "Case", "CheckScore", "ClaimScore", "CompareRow", "Counts", "EvalReport", "EvalRun",
    "EvalSet", "Rate", "ReportScore", "RunManifest", "WrongCell", "claim_similarity", "compare_reports",
    "load_eval_set", "load_run", "match_claims", "run_eval", "same_value", "score",
    "score_case", "score_findings", "summarize", "summary", "write_run",
]
