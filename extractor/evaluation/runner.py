"""The eval set on disk, one eval run over it, and the run directory it leaves.

I/O lives here (reading the manifest and gold, running the pipeline, writing
``run.json`` / ``predictions.jsonl``); the figures come from ``scoring``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractor import __version__
from extractor.atomic import atomic_write_text
from extractor.errors import InputError, ModelError
from extractor.evaluation.models import EvalReport
from extractor.evaluation.scoring import Case, score_case, summarize
from extractor.readings import Extraction
from extractor.record import Record

if TYPE_CHECKING:
    from extractor.pipeline import ExtractOptions


class ManifestEntry(BaseModel):
    """One line of ``eval/manifest.jsonl`` (provenance fields are kept as they are)."""

    model_config = ConfigDict(extra="allow")

    id: str
    file: str


class EvalSet(BaseModel):
    """The reports to run and their gold records."""

    root: Path
    entries: list[ManifestEntry]
    gold: dict[str, Record]
    sha256: str  # of the manifest and every gold file: which labels a figure was measured against

    def report_path(self, entry: ManifestEntry) -> Path:
        return self.root / "reports" / entry.file


class RunManifest(BaseModel):
    """How a run was made, so two runs can be told apart and reproduced."""

    engine: str  # as asked for (--engine)
    engines_used: list[str] = Field(default_factory=list)  # as the extractions report them
    model: str | None = None
    prompt_version: str | None = None
    git_revision: str | None = None
    gold_sha256: str
    timestamp: str
    extractor_version: str = __version__
    eval_dir: str
    reports: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    model_usage: ModelUsage | None = None  # the model's requests and tokens (None: no model ran)


class ReportUsage(BaseModel):
    """What one report cost the model engine."""

    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ModelUsage(ReportUsage):
    """The run's totals and each report's share (prompt and completion tokens per report)."""

    per_report: dict[str, ReportUsage] = Field(default_factory=dict)

    @classmethod
    def of(cls, predictions: Sequence[Prediction]) -> ModelUsage | None:
        per = {
            p.id: ReportUsage(requests=r.requests, cache_hits=r.cache_hits, prompt_tokens=r.prompt_tokens,
                              completion_tokens=r.completion_tokens)
            for p in predictions if p.extraction is not None
            for r in [p.extraction.run] if "llm" in r.engines
        }
        if not per:
            return None
        return cls(
            requests=sum(u.requests for u in per.values()), cache_hits=sum(u.cache_hits for u in per.values()),
            prompt_tokens=sum(u.prompt_tokens for u in per.values()),
            completion_tokens=sum(u.completion_tokens for u in per.values()), per_report=per,
        )


class Prediction(BaseModel):
    """One report's extraction (or why there is none)."""

    id: str
    extraction: Extraction | None = None
    error: str | None = None
    seconds: float = 0.0

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "error": self.error, "seconds": round(self.seconds, 4)}
        if self.extraction is not None:
            out.update(self.extraction.to_json_dict())
        return out


RunManifest.model_rebuild()


class EvalRun(BaseModel):
    """A scored run: its manifest, its figures and (in memory) its predictions."""

    manifest: RunManifest
    scores: EvalReport
    predictions: list[Prediction] = Field(default_factory=list, exclude=True)


# ------------------------------------------------------------------ the eval set
def gold_set_hash(root: Path) -> str:
    """sha256 over the manifest and every gold file (names and bytes, in name order)."""
    digest = hashlib.sha256()
    for path in [root / "manifest.jsonl", *sorted((root / "gold").glob("*.json"))]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_eval_set(eval_dir: str | Path, report_ids: Sequence[str] | None = None) -> EvalSet:
    """Read the manifest and the gold records, keeping only ``report_ids`` when given."""
    root = Path(eval_dir)
    manifest = root / "manifest.jsonl"
    if not manifest.is_file():
        raise InputError(
            f"{manifest} not found; pass --eval-dir pointing at a directory with manifest.jsonl, gold/ and reports/."
        )
    lines = manifest.read_text("utf-8").splitlines()
    try:
        entries = [ManifestEntry.model_validate_json(line) for line in lines if line.strip()]
    except ValidationError as exc:
        raise InputError(f"{manifest}: not a valid manifest ({exc.errors()[0]['msg']}).") from None
    if report_ids:
        known = {e.id for e in entries}
        unknown = [r for r in report_ids if r not in known]
        if unknown:
            raise InputError(f"unknown report id(s) {', '.join(unknown)}; the ids are listed in {manifest}.")
        wanted = set(report_ids)
        entries = [e for e in entries if e.id in wanted]
    gold: dict[str, Record] = {}
    for entry in entries:
        path = root / "gold" / f"{entry.id}.json"
        try:
            gold[entry.id] = Record.model_validate_json(path.read_bytes())
        except OSError:
            raise InputError(f"{path} is missing: every report in the manifest needs its gold record.") from None
        except ValidationError as exc:
            raise InputError(f"{path}: not a canonical record ({exc.errors()[0]['msg']}).") from None
    return EvalSet(root=root, entries=entries, gold=gold, sha256=gold_set_hash(root))


# ------------------------------------------------------------------ running
def git_revision() -> str | None:
    """``git rev-parse HEAD`` of the checkout the package runs from, or None outside git."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent, capture_output=True, text=True,
            timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def predict(
    eval_set: EvalSet, options: ExtractOptions, on_report: Callable[[str], None] | None = None
) -> list[Prediction]:
    """Extract every report. A model that is not configured stops the run; any other failure is kept per report.

    With a model engine, reports are read concurrently like a batch (threads, each with its share of
    ``--concurrency``, so that together they keep that many requests in flight); the reader runs one by one.
    """
    from extractor.batch import share_concurrency
    from extractor.pipeline import extract_path

    def one(entry: ManifestEntry, opts: ExtractOptions) -> Prediction:
        started = time.perf_counter()
        try:
            prediction = Prediction(id=entry.id, extraction=extract_path(eval_set.report_path(entry), opts))
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001  (scored as an empty prediction, reported by name)
            prediction = Prediction(id=entry.id, error=f"{type(exc).__name__}: {exc}")
        prediction.seconds = time.perf_counter() - started
        if on_report is not None:
            on_report(entry.id)
        return prediction

    if options.engine == "reader" or options.llm is None or len(eval_set.entries) < 2:
        return [one(entry, options) for entry in eval_set.entries]
    jobs = max(1, min(options.llm.concurrency, len(eval_set.entries)))
    shared = share_concurrency(options, jobs)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="eval") as pool:
        futures = [pool.submit(one, entry, shared) for entry in eval_set.entries]
        return [f.result() for f in futures]  # in manifest order; a ModelError stops the run


def score_predictions(
    eval_set: EvalSet, predictions: Sequence[Prediction], score_checks: bool = True
) -> EvalReport:
    """Score the predictions against the gold; wrong cells get their evidence text quoted.

    ``score_checks`` is False when the checker did not run: no findings is then not "found nothing".
    """
    reports = []
    for prediction in predictions:
        extraction = prediction.extraction
        case = Case(
            id=prediction.id,
            gold=eval_set.gold[prediction.id],
            predicted=extraction.record if extraction else Record(),
            evidence=extraction.evidence if extraction else {},
            findings=(extraction.findings if extraction else []) if score_checks else None,
            error=prediction.error,
        )
        report = score_case(case)
        if any(cell.span is not None for cell in report.wrong_cells):
            _quote_evidence(eval_set, prediction.id, report.wrong_cells)
        reports.append(report)
    return summarize(reports)


def _quote_evidence(eval_set: EvalSet, report_id: str, cells: Sequence[Any]) -> None:
    from extractor.loading import load

    entry = next(e for e in eval_set.entries if e.id == report_id)
    text = load(eval_set.report_path(entry)).text
    for cell in cells:
        if cell.span is not None:
            cell.text = cell.span.slice(text)[:80]


def run_eval(
    eval_set: EvalSet, options: ExtractOptions, on_report: Callable[[str], None] | None = None
) -> EvalRun:
    """Extract and score the whole eval set: the function behind ``extractor eval``."""
    timestamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    predictions = predict(eval_set, options, on_report)
    seconds = time.perf_counter() - started
    runs = [p.extraction.run for p in predictions if p.extraction is not None]
    prompt = options.llm.prompt_version if options.llm is not None else None
    manifest = RunManifest(
        engine=str(options.engine),
        engines_used=sorted({engine for r in runs for engine in r.engines}),
        model=next((r.model for r in runs if r.model), None),
        prompt_version=next((r.prompt_version for r in runs if r.prompt_version), prompt),
        git_revision=git_revision(),
        gold_sha256=eval_set.sha256,
        timestamp=timestamp,
        eval_dir=str(eval_set.root),
        reports=[e.id for e in eval_set.entries],
        seconds=round(seconds, 3),
        model_usage=ModelUsage.of(predictions),
    )
    scores = score_predictions(eval_set, predictions, score_checks=getattr(options, "check", True))
    return EvalRun(manifest=manifest, scores=scores, predictions=predictions)


# ------------------------------------------------------------------ the run directory
def default_out_dir(timestamp: str | None = None) -> Path:
    """``runs/<UTC timestamp>/`` under the working directory."""
    stamp = timestamp or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path("runs") / stamp


def write_run(run: EvalRun, out_dir: str | Path) -> Path:
    """Write ``run.json`` (every figure) and ``predictions.jsonl`` (one extraction per line); return run.json."""
    out = Path(out_dir)
    lines = [json.dumps(p.to_json_dict(), ensure_ascii=False) for p in run.predictions]
    atomic_write_text(out / "predictions.jsonl", "".join(line + "\n" for line in lines))
    run_json = out / "run.json"
    atomic_write_text(run_json, run.model_dump_json(indent=2) + "\n")
    return run_json


def load_run(path: str | Path) -> EvalRun:
    """Read a ``run.json`` (or the run directory holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "run.json"
    try:
        return EvalRun.model_validate_json(path.read_bytes())
    except OSError:
        raise InputError(f"{path} not found; pass a run.json written by `extractor eval`.") from None
    except ValidationError as exc:
        raise InputError(f"{path}: not a run.json written by `extractor eval` ({exc.errors()[0]['msg']}).") from None


def summary(run: EvalRun) -> dict[str, Any]:
    """The run's manifest and headline figures, without per-report and per-field detail (for ``--json``)."""
    data = run.model_dump(mode="json")
    scores = data["scores"]
    scores.pop("per_report", None)
    scores.pop("fields", None)
    scores["failures"] = run.scores.failures
    scores["wrong_cells"] = len(run.scores.wrong_cells)
    return data
