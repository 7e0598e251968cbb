"""Batch runs: many reports in, one results database out, resumable after any interruption.

How a batch stays safe and restartable:

- every input is identified by the SHA-256 of its bytes (``Document.sha256``)
  and the settings by the hash of the result-relevant ``ExtractOptions`` plus
  the extractor version; a report already stored under both is never redone;
- each report is committed to the database (``storage.ResultsDB``) in one
  transaction the moment it finishes, so Ctrl-C, a crash or ``kill -9`` loses
  at most the reports still in flight;
- a report that fails is stored as a failure with its reason and the batch
  goes on; a worker process that dies is replaced, and the report that killed
  it is isolated by rerunning the suspects one at a time.

Reports run in worker *processes* for the reader engine (CPU-bound, so one
per core) and in worker *threads* when a model engine is involved (I/O-bound:
each thread waits on its own report's model calls, so many run at once).
The database is written only by the process that runs the batch.

After each batch the reports of the same body in consecutive years are
checked against each other (``extractor.across``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from extractor import __version__
from extractor.across import update_cross_year
from extractor.errors import ExtractorError, InputError, ModelError
from extractor.loading import EXTENSIONS, load
from extractor.readings import Extraction
from extractor.storage import DB_NAME, ReportStatus, ResultsDB

if TYPE_CHECKING:
    from extractor.pipeline import ExtractOptions

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(EXTENSIONS)  # what a directory is searched for

# Fields of the model settings that change how a run behaves but not what it produces: left
# out of the settings hash so that, say, a different --concurrency or --cache-dir still resumes
# the same batch.
RUNTIME_ONLY_FIELDS: frozenset[str] = frozenset(
    {"concurrency", "cache_dir", "use_cache", "refresh", "retry_failed", "timeout", "max_retries", "http_retries"}
)
_SECRET_FIELD = re.compile(r"key|secret|token|password", re.I)

OutcomeStatus = Literal["ok", "partial", "failed", "skipped", "duplicate"]


# ---------------------------------------------------------------- models
class WorkResult(BaseModel):
    """What a worker hands back for one file (picklable; no database access in workers)."""

    path: str
    content_sha256: str | None = None
    extraction: Extraction | None = None
    error: str | None = None
    fatal: bool = False  # the model endpoint is unusable: every further report would fail the same way
    seconds: float = 0.0


class ReportOutcome(BaseModel):
    """One input file's fate in this batch."""

    path: str
    status: OutcomeStatus
    content_sha256: str | None = None
    report_id: int | None = None
    error: str | None = None
    seconds: float = 0.0
    requests: int = 0
    cache_hits: int = 0


class BatchCounts(BaseModel):
    """Running totals shown by the progress bar."""

    total: int = 0  # files this batch has to extract (after skipping finished ones)
    done: int = 0
    failed: int = 0
    skipped: int = 0  # already finished in an earlier run, or a duplicate of another input
    requests: int = 0
    cache_hits: int = 0


class BatchSummary(BaseModel):
    """The end-of-batch report: what was done, what failed and why."""

    out_dir: str
    db_path: str
    batch_id: int
    settings_sha256: str
    files: int
    processed: int  # reports this run extracted or failed on (stored in the database)
    extracted: int  # of which extracted (ok or partial)
    skipped: int  # finished in an earlier run
    ignored: int = 0  # other files inside the input directories, of kinds that are not reports
    duplicates: list[ReportOutcome] = Field(default_factory=list)
    partial: list[ReportOutcome] = Field(default_factory=list)  # extracted, but the model failed on some sections
    failures: list[ReportOutcome] = Field(default_factory=list)
    requests: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    cross_year_findings: int | None = None  # failing cross-year checks; None when run with cross_year=False
    stopped: str | None = None  # why the batch stopped early (the model endpoint failed); rerun to continue

    @property
    def ok(self) -> bool:
        return not self.failures


ProgressCallback = Callable[[BatchCounts, ReportOutcome | None], None]
WorkFn = Callable[[str, Any], WorkResult]


# ---------------------------------------------------------------- inputs and settings
def discover(inputs: Iterable[str | Path], exclude: Path | None = None) -> list[Path]:
    """The report files named by ``inputs``: files as given, directories searched recursively.

    Inside directories only supported extensions are taken, and hidden files
    and Office lock files (``~$x.docx``) are skipped; a file named explicitly
    is always taken, so an unsupported one is reported as a failure rather
    than silently ignored. Order is stable (sorted per directory).
    """
    exclude = exclude.resolve() if exclude else None
    found: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        p = Path(item)
        if not p.exists():
            raise InputError(f"{p}: no such file or directory; check the path.")
        if p.is_dir():
            candidates = sorted(
                f for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not f.name.startswith("~$")
                and not f.name.endswith(".review.html")  # pages written by `extractor review`
            )
        else:
            candidates = [p]
        for f in candidates:
            resolved = f.resolve()
            if resolved in seen or (exclude is not None and resolved.is_relative_to(exclude)):
                continue
            seen.add(resolved)
            found.append(f)
    return found


def count_ignored(inputs: Iterable[str | Path]) -> int:
    """Files inside the input directories that ``discover`` passes over for their kind (said in the summary)."""
    return sum(
        1
        for item in map(Path, inputs) if item.is_dir()
        for f in item.rglob("*")
        if f.is_file() and f.suffix.lower() not in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in f.relative_to(item).parts)
    )


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes: the same identity as ``Document.sha256``."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def default_options() -> ExtractOptions:
    from extractor.pipeline import ExtractOptions

    return ExtractOptions()


def _result_relevant(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _result_relevant(v)
            for k, v in value.items()
            if k not in RUNTIME_ONLY_FIELDS and not _SECRET_FIELD.search(k)
        }
    if isinstance(value, list):
        return [_result_relevant(v) for v in value]
    return value


@functools.cache
def code_fingerprint() -> str:
    """A hash of the package's own source, so a rerun after any code change re-extracts instead of resuming.

    The version number alone is not enough: it does not change while the reader is being improved.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def settings_identity(options: ExtractOptions) -> tuple[str, str]:
    """(sha256, JSON) of what decides a result: the result-relevant options, the version and the code.

    Secrets (an API key anywhere in the options) never enter the JSON or the hash.
    """
    data = _result_relevant(options.model_dump(mode="json"))
    payload = json.dumps(
        {"extractor_version": __version__, "code": code_fingerprint(), "options": data},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest(), payload


def uses_model(options: ExtractOptions) -> bool:
    return options.engine != "reader"


def default_jobs(options: ExtractOptions) -> int:
    """One worker process per core for the reader; as many threads as requests may be in flight for a model."""
    if uses_model(options) and options.llm is not None:
        return max(1, options.llm.concurrency)
    return max(1, os.cpu_count() or 1)


def share_concurrency(options: ExtractOptions, jobs: int) -> ExtractOptions:
    """Options for each of ``jobs`` parallel reports, so that together they keep to ``concurrency``.

    The model's ``concurrency`` promises a limit on requests in flight; with
    several reports read at once each gets its share (at least one).
    """
    if not uses_model(options) or options.llm is None:
        return options
    share = options.llm.model_copy(update={"concurrency": max(1, options.llm.concurrency // jobs)})
    return options.model_copy(update={"llm": share})


def report_status(extraction: Extraction, options: ExtractOptions) -> tuple[ReportStatus, str | None]:
    """``ok``, or ``partial`` (with why) when a requested model engine failed on some or all sections.

    A partial report is stored, exported and checked like any other, but a
    rerun extracts it again (the model's good answers then come from its cache).
    """
    run = extraction.run
    reasons = list(run.failures)
    if uses_model(options) and "llm" not in run.engines:
        reasons.insert(0, "the model engine did not run (reader used instead)")
    return ("partial", "; ".join(reasons)) if reasons else ("ok", None)


# ---------------------------------------------------------------- the worker
def describe_error(exc: BaseException) -> str:
    """One line for the failure list: the user-facing message, or where an internal error happened."""
    if isinstance(exc, ExtractorError):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" (at {Path(last.filename).name}:{last.lineno})"
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {message}{where}" if message else f"{type(exc).__name__}{where}"


def extract_file(path: str, options: ExtractOptions) -> WorkResult:
    """Load and extract one file; never raises (a failure comes back as ``error``)."""
    started = time.perf_counter()
    sha: str | None = None
    try:
        from extractor.pipeline import extract_document  # here, so a broken reader is a recorded failure

        doc = load(path)
        sha = doc.sha256
        extraction = extract_document(doc, options)
        return WorkResult(path=path, content_sha256=sha, extraction=extraction, seconds=time.perf_counter() - started)
    except ModelError as exc:  # endpoint missing, unreachable or refusing: not this report's fault
        return WorkResult(path=path, content_sha256=sha, error=str(exc), fatal=True, seconds=time.perf_counter() - started)
    except Exception as exc:  # a bad report must not stop the batch: record it and go on
        return WorkResult(path=path, content_sha256=sha, error=describe_error(exc), seconds=time.perf_counter() - started)


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, and exit when the parent is gone (even after kill -9)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


# ---------------------------------------------------------------- the batch
class _Task(BaseModel):
    path: str
    sha: str
    suspect: bool = False  # was in flight when a worker process died


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    options: ExtractOptions | None = None,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    work: WorkFn = extract_file,
    cross_year: bool = True,
) -> BatchSummary:
    """Extract every report under ``inputs`` into ``out_dir/results.db``, resuming an earlier run.

    ``work`` is the per-file function (a module-level function, since it may
    run in another process); the default loads and extracts with the pipeline.
    """
    started = time.perf_counter()
    options = options if options is not None else default_options()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a directory for a batch.")
    files = discover(inputs, exclude=out)
    if not files:
        raise InputError(f"no report files ({', '.join(SUPPORTED_SUFFIXES)}) found in {', '.join(map(str, inputs))}.")
    settings_sha, settings_json = settings_identity(options)
    jobs = max(1, jobs or default_jobs(options))

    counts = BatchCounts()
    outcomes: list[ReportOutcome] = []
    notify = progress or (lambda _c, _o: None)

    with ResultsDB(out / DB_NAME) as db:
        db.save_settings(settings_sha, settings_json, __version__)
        finished = db.finished_hashes(settings_sha)
        batch_id = db.start_batch(settings_sha, [str(i) for i in inputs], len(files))

        todo: list[_Task] = []
        first_path: dict[str, str] = {}
        for f in files:
            try:
                sha = file_sha256(f)
            except OSError as exc:
                outcome = ReportOutcome(path=str(f), status="failed", error=f"cannot be read ({exc.strerror or exc})")
                outcomes.append(outcome)
                counts.failed += 1
                continue
            if sha in first_path:
                outcomes.append(ReportOutcome(path=str(f), status="duplicate", content_sha256=sha,
                                              error=f"same content as {first_path[sha]}"))
                counts.skipped += 1
                continue
            first_path[sha] = str(f)
            if sha in finished:
                outcomes.append(ReportOutcome(path=str(f), status="skipped", content_sha256=sha))
                counts.skipped += 1
                continue
            todo.append(_Task(path=str(f), sha=sha))
        counts.total = len(todo)
        notify(counts, None)

        stopped: list[str] = []

        def record(task: _Task, result: WorkResult) -> bool:
            """Store one result; False when the batch must stop (it is then not stored, so a rerun redoes it)."""
            if result.fatal:
                stopped.append(result.error or "the model endpoint failed")
                return False
            sha = result.content_sha256 or task.sha
            extraction = result.extraction
            status, error = report_status(extraction, options) if extraction else ("failed", result.error or "unknown error")
            report_id = db.save_report(
                path=task.path,
                content_sha256=sha,
                settings_sha256=settings_sha,
                extraction=extraction,
                error=error,
                partial=status == "partial",
                engine=options.engine,
                batch_id=batch_id,
                seconds=result.seconds,
            )
            run = extraction.run if extraction else None
            outcome = ReportOutcome(
                path=task.path,
                status=status,
                content_sha256=sha,
                report_id=report_id,
                error=error,
                seconds=result.seconds,
                requests=run.requests if run else 0,
                cache_hits=run.cache_hits if run else 0,
            )
            outcomes.append(outcome)
            counts.done += 1
            counts.failed += outcome.status == "failed"
            counts.requests += outcome.requests
            counts.cache_hits += outcome.cache_hits
            notify(counts, outcome)
            return True

        _execute(todo, share_concurrency(options, jobs), jobs, work, record, use_threads=uses_model(options))

        failures = [o for o in outcomes if o.status == "failed"]
        extracted = sum(o.status in ("ok", "partial") for o in outcomes)
        processed = sum(o.report_id is not None for o in outcomes)
        db.finish_batch(
            batch_id, processed=processed, skipped=counts.skipped, failed=len(failures), complete=not stopped
        )
        cross = update_cross_year(db) if cross_year else None

    return BatchSummary(
        out_dir=str(out),
        db_path=str(out / DB_NAME),
        batch_id=batch_id,
        settings_sha256=settings_sha,
        files=len(files),
        processed=processed,
        extracted=extracted,
        skipped=sum(o.status == "skipped" for o in outcomes),
        ignored=count_ignored(inputs),
        duplicates=[o for o in outcomes if o.status == "duplicate"],
        partial=[o for o in outcomes if o.status == "partial"],
        failures=failures,
        requests=counts.requests,
        cache_hits=counts.cache_hits,
        seconds=time.perf_counter() - started,
        cross_year_findings=cross,
        stopped=stopped[0] if stopped else None,
    )


_CRASHED = "the worker process died while reading this file (out of memory, or a crash in a parser)"


def _execute(
    todo: list[_Task],
    options: ExtractOptions,
    jobs: int,
    work: WorkFn,
    record: Callable[[_Task, WorkResult], bool],
    use_threads: bool,
) -> None:
    """Run ``work`` over ``todo`` with at most ``jobs`` reports in flight, recording each as it finishes.

    A dead worker process breaks the whole pool; the reports that were in
    flight are then rerun one at a time, so only the one that kills a worker
    on its own is recorded as failed. When ``record`` says stop, nothing new
    is started and the reports in flight are still recorded.
    """
    if not todo:
        return
    if jobs == 1 or len(todo) == 1:
        for task in todo:
            if not record(task, _call(work, task, options)):
                return
        return

    pending: deque[_Task] = deque(todo)
    suspects: deque[_Task] = deque()
    executor = _new_executor(jobs, use_threads)
    in_flight: dict[Future[WorkResult], _Task] = {}

    def submit(queue: deque[_Task]) -> bool:
        """Start the next task of ``queue``; False (task kept) if the pool broke since the last look."""
        task = queue.popleft()
        try:
            in_flight[executor.submit(work, task.path, options)] = task
            return True
        except BrokenProcessPool:
            queue.appendleft(task)
            return False

    try:
        while pending or suspects or in_flight:
            started = True
            if suspects:
                if not in_flight:  # isolate: a suspect runs alone
                    started = submit(suspects)
            else:
                while started and pending and len(in_flight) < jobs * 2:
                    started = submit(pending)
            if not started and not in_flight:  # broke with nothing in flight to tell us: just replace it
                executor.shutdown(wait=False, cancel_futures=True)
                executor = _new_executor(jobs, use_threads)
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken: list[_Task] = []
            for fut in done:
                task = in_flight.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken.append(task)
                    continue
                except Exception as exc:  # a custom ``work`` that raised
                    result = WorkResult(path=task.path, error=describe_error(exc))
                if not record(task, result):
                    pending.clear()
                    suspects.clear()
            if broken:
                # Every other in-flight future of a broken pool fails too: collect them.
                for fut, task in list(in_flight.items()):
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken.append(task)
                        continue
                    except Exception as exc:
                        result = WorkResult(path=task.path, error=describe_error(exc))
                    if not record(task, result):
                        pending.clear()
                        suspects.clear()
                in_flight.clear()
                executor.shutdown(wait=False, cancel_futures=True)
                executor = _new_executor(jobs, use_threads)
                for task in broken:
                    if task.suspect and len(broken) == 1:  # it ran alone and killed its worker again
                        record(task, WorkResult(path=task.path, error=_CRASHED))
                    else:
                        task.suspect = True
                        suspects.append(task)
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)


def _call(work: WorkFn, task: _Task, options: ExtractOptions) -> WorkResult:
    try:
        return work(task.path, options)
    except Exception as exc:  # a custom ``work`` that raised instead of returning the error
        return WorkResult(path=task.path, error=describe_error(exc))


def _new_executor(jobs: int, use_threads: bool) -> Executor:
    if use_threads:
        return ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="report")
    return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init)


def _stop(executor: Executor) -> None:
    """On Ctrl-C: drop queued work and end our own worker processes now (finished reports are saved)."""
    executor.shutdown(wait=False, cancel_futures=True)
    processes = getattr(executor, "_processes", None) or {}  # ProcessPoolExecutor has no public terminate before 3.14
    for proc in list(processes.values()):
        if proc.is_alive():
            proc.terminate()
