"""Batch runs: many reports in, one results database out, resumable after any interruption.

How a batch stays safe and restartable:

- every input is identified by the SHA-256 of its bytes (``Document.sha256``)
  and the settings by the hash of the result-relevant ``ExtractOptions`` plus
  the extractor version; a report already stored under both is never redone;
- each report is committed to the database (``storage.ResultsDB``) in one
  transaction the moment it finishes, so Ctrl-C, a crash or ``kill -9`` loses
  at most the reports still in flight;
- a report that fails is stored as a failure with its reason and the batch
  goes on; a worker process that dies, or runs past ``--timeout``, fails only
  the report it was reading and is replaced;
- Ctrl-C ends every worker (SIGTERM, then SIGKILL) within seconds and keeps
  what finished; a second Ctrl-C exits at once;
- one batch at a time writes an output directory: a second one on the same
  ``--out`` waits for the first (``OUT/results.db.lock``) and then skips what
  the first finished.

Reports run in worker *processes* for the reader engine (CPU-bound, so one
per core) and in worker *threads* when a model engine is involved (I/O-bound:
each thread waits on its own report's model calls, so many run at once).
The database is written only by the process that runs the batch.

After each batch the reports of the same body in consecutive years are
checked against each other (``extractor.across``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import multiprocessing as mp
import os
import re
import signal
import sqlite3
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from extractor import __version__
from extractor.across import update_cross_year
from extractor.errors import (
    ExtractorError,
    InputError,
    ModelError,
    WriteError,
    printable,
)
from extractor.limits import (
    MB,
    Limits,
    apply_worker_memory,
    check_input_file,
    cpu_count,
    worker_memory,
)
from extractor.limits import configure as configure_limits
from extractor.limits import current as current_limits
from extractor.llm.config import scrub
from extractor.loading import EXTENSIONS, load
from extractor.readings import Extraction
from extractor.storage import DB_NAME, ReportStatus, ResultsDB, store_error

if TYPE_CHECKING:
    from extractor.pipeline import ExtractOptions

LOCK_NAME = "results.db.lock"  # held by the batch writing an output directory
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
def _wanted(rel: Path) -> bool:
    """A file inside an input directory that is taken as a report: supported kind, not hidden, not ours."""
    return (
        rel.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in rel.parts)
        and not rel.name.startswith("~$")
        and not rel.name.endswith(".review.html")  # pages written by `extractor review`
    )


def _walk(root: Path, problems: list[tuple[str, str]] | None) -> list[Path]:
    """Report files under ``root`` (sorted); folders that cannot be listed and links that lead nowhere
    go to ``problems`` instead of being skipped without a word."""
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        if problems is not None:
            where = exc.filename or root
            why = f"folder cannot be read ({exc.strerror or exc}); its reports were not looked at"
            problems.append((str(where), why))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            f = Path(folder, name)
            if not _wanted(f.relative_to(root)):
                continue
            if f.is_symlink() and not f.exists():
                if problems is not None:
                    problems.append((str(f), f"broken symbolic link (to {os.readlink(f)}); fix or remove it"))
                continue
            found.append(f)
    return sorted(found)


def discover(
    inputs: Iterable[str | Path], exclude: Path | None = None, problems: list[tuple[str, str]] | None = None
) -> list[Path]:
    """The report files named by ``inputs``: files as given, directories searched recursively.

    Inside directories only supported extensions are taken, and hidden files
    and Office lock files (``~$x.docx``) are skipped; a file named explicitly
    is always taken, so an unsupported one is reported as a failure rather
    than silently ignored. Order is stable (sorted). Folders that cannot be
    read and broken links are added to ``problems`` as (path, reason).
    """
    exclude = exclude.resolve() if exclude else None
    found: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        p = Path(item)
        if not p.exists():
            if p.is_symlink():
                target = printable(os.readlink(p))
                raise InputError(f"{printable(p)}: broken symbolic link (to {target}); fix the link or the path.")
            raise InputError(f"{printable(p)}: no such file or directory; check the path.")
        candidates = _walk(p, problems) if p.is_dir() else [p]
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
    if isinstance(exc, MemoryError):
        memory = worker_memory(current_limits(), 1)
        limit = f" (limit {memory // MB} MB per worker)" if memory else ""
        return f"ran out of memory reading this file{limit}; if it really is a report, raise --max-size or run it alone"
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
        from extractor.pipeline import (
            extract_document,  # here, so a broken reader is a recorded failure
        )

        doc = load(path)
        sha = doc.sha256
        extraction = extract_document(doc, options)
        return WorkResult(path=path, content_sha256=sha, extraction=extraction, seconds=time.perf_counter() - started)
    except ModelError as exc:  # endpoint missing, unreachable or refusing: not this report's fault
        seconds = time.perf_counter() - started
        return WorkResult(path=path, content_sha256=sha, error=str(exc), fatal=True, seconds=seconds)
    except Exception as exc:  # a bad report must not stop the batch: record it and go on
        seconds = time.perf_counter() - started
        return WorkResult(path=path, content_sha256=sha, error=describe_error(exc), seconds=seconds)


# ---------------------------------------------------------------- the batch
class _Task(BaseModel):
    path: str
    sha: str


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    options: ExtractOptions | None = None,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    work: WorkFn = extract_file,
    cross_year: bool = True,
    limits: Limits | None = None,
    notice: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Extract every report under ``inputs`` into ``out_dir/results.db``, resuming an earlier run.

    ``work`` is the per-file function (it runs in a worker process for the
    reader engine); the default loads and extracts with the pipeline.
    ``limits`` (size, time, memory; default: those in force) apply to every
    report; ``notice`` receives one-line messages for people (waiting for
    another batch, ``--jobs`` lowered to the cores).
    """
    started = time.perf_counter()
    options = options if options is not None else default_options()
    say = notice or (lambda _m: None)
    if limits is not None:
        configure_limits(limits)
    limits = current_limits()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {printable(out)} is a file; give a directory for a batch.")
    problems: list[tuple[str, str]] = []
    files = discover(inputs, exclude=out, problems=problems)
    if not files and not problems:
        raise InputError(
            f"no report files ({', '.join(SUPPORTED_SUFFIXES)}) found in {', '.join(printable(i) for i in inputs)}."
        )
    settings_sha, settings_json = settings_identity(options)
    jobs = max(1, jobs or default_jobs(options))
    if not uses_model(options) and jobs > cpu_count():
        say(f"--jobs {jobs} lowered to {cpu_count()}, the number of cores (the reader engine is CPU-bound)")
        jobs = cpu_count()

    counts = BatchCounts()
    outcomes: list[ReportOutcome] = [
        ReportOutcome(path=path, status="failed", error=reason) for path, reason in problems
    ]
    counts.failed = len(outcomes)
    notify = progress or (lambda _c, _o: None)

    try:
        with _out_lock(out, say), ResultsDB(out / DB_NAME) as db:
            db.save_settings(settings_sha, settings_json, __version__)
            finished = db.finished_hashes(settings_sha)
            batch_id = db.start_batch(settings_sha, [str(i) for i in inputs], len(files))

            todo: list[_Task] = []
            first_path: dict[str, str] = {}
            for f in files:
                try:
                    check_input_file(f)  # a FIFO would block the hash forever, /dev/zero never end it
                    sha = file_sha256(f)
                except InputError as exc:
                    outcomes.append(ReportOutcome(path=str(f), status="failed", error=str(exc)))
                    counts.failed += 1
                    continue
                except OSError as exc:
                    unreadable = f"cannot be read ({exc.strerror or exc})"
                    outcomes.append(ReportOutcome(path=str(f), status="failed", error=unreadable))
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
                    stopped.append(scrub(result.error or "the model endpoint failed"))
                    return False
                sha = result.content_sha256 or task.sha
                extraction = result.extraction
                if extraction:
                    status, error = report_status(extraction, options)
                else:
                    status, error = "failed", result.error or "unknown error"
                error = scrub(error) if error else error  # a key or URL credential echoed by a server stays out
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

            per_report = share_concurrency(options, jobs)
            _execute(todo, per_report, jobs, work, record, use_threads=uses_model(options), limits=limits)

            failures = [o for o in outcomes if o.status == "failed"]
            extracted = sum(o.status in ("ok", "partial") for o in outcomes)
            processed = sum(o.report_id is not None for o in outcomes)
            db.finish_batch(
                batch_id, processed=processed, skipped=counts.skipped, failed=len(failures), complete=not stopped
            )
            cross = update_cross_year(db) if cross_year else None
    except sqlite3.Error as exc:  # a full disk or database, a damaged file: one line, finished reports kept
        raise store_error(exc, out / DB_NAME) from None

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


@contextlib.contextmanager
def _out_lock(out: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold ``OUT/results.db.lock`` while this batch writes ``out``; wait (saying so) while another holds it.

    The lock is ``flock``: the kernel drops it when its holder ends, however
    it ends, so a killed batch never leaves a stale lock.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(
            f"cannot write in --out {printable(out)} ({exc.strerror or exc}): choose a writable directory."
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            say(
                f"another batch (pid {holder}) is writing to {printable(out)}: waiting for it to finish "
                "(then only what it did not do is extracted; Ctrl-C to stop)"
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


_CRASHED = "the worker process died while reading this file (out of memory, or a crash in a parser)"
_POLL = 0.5  # seconds between looks at the clock while reports run


def _timed_out(limits: Limits) -> str:
    return (
        f"took longer than --timeout {limits.timeout_s:g} s and was stopped; "
        "if it really is a report, run it again with a larger --timeout"
    )


def _died(code: int | None, memory: int | None) -> str:
    """Why a worker process ended without an answer, as well as the exit status tells."""
    if code is not None and code < 0:
        try:
            how = signal.Signals(-code).name
        except ValueError:
            how = f"signal {-code}"
        if -code == signal.SIGKILL:
            return f"{_CRASHED}: killed ({how}; the system may have run out of memory)"
        return f"{_CRASHED}: {how}"
    limit = f" (memory limit {memory // (1024 * 1024)} MB per worker)" if memory else ""
    return f"{_CRASHED}{limit}" if code is None else f"{_CRASHED}: exit status {code}{limit}"


def _execute(
    todo: list[_Task],
    options: ExtractOptions,
    jobs: int,
    work: WorkFn,
    record: Callable[[_Task, WorkResult], bool],
    use_threads: bool,
    limits: Limits | None = None,
) -> None:
    """Run ``work`` over ``todo`` with at most ``jobs`` reports in flight, recording each as it finishes.

    The reader engine runs each report in a worker process of our own
    (``_ProcessPool``): a worker that dies or runs past ``--timeout`` fails
    only the report it was reading, and Ctrl-C ends every worker within
    seconds. A model engine runs reports in threads (they wait on the
    network). When ``record`` says stop, nothing new is started and the
    reports in flight are still recorded.
    """
    if not todo:
        return
    limits = limits or current_limits()
    if use_threads:
        _run_threads(todo, options, jobs, work, record, limits)
    else:
        with _ProcessPool(jobs, work, options, limits) as pool:
            pool.run(todo, record)


def _call(work: WorkFn, path: str, options: ExtractOptions) -> WorkResult:
    try:
        return work(path, options)
    except Exception as exc:  # a custom ``work`` that raised instead of returning the error
        return WorkResult(path=path, error=describe_error(exc))


def _run_threads(
    todo: list[_Task], options: ExtractOptions, jobs: int, work: WorkFn,
    record: Callable[[_Task, WorkResult], bool], limits: Limits,
) -> None:
    """Reports in threads (a model engine). A report past ``--timeout`` is recorded as failed and its
    thread abandoned (a thread cannot be killed; its requests end with their own HTTP timeouts)."""
    pending: deque[_Task] = deque(todo)
    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="report")
    in_flight: dict[Future[WorkResult], tuple[_Task, float]] = {}
    try:
        while pending or in_flight:
            while pending and len(in_flight) < jobs:
                task = pending.popleft()
                in_flight[executor.submit(_call, work, task.path, options)] = (task, time.monotonic())
            done, _ = wait(in_flight, timeout=_POLL, return_when=FIRST_COMPLETED)
            for fut in done:
                task, _ = in_flight.pop(fut)
                if not record(task, fut.result()):
                    pending.clear()
            if limits.timeout_s is not None:
                now = time.monotonic()
                for fut, (task, started) in list(in_flight.items()):
                    if now - started > limits.timeout_s:
                        del in_flight[fut]
                        fut.cancel()
                        timed_out = WorkResult(path=task.path, error=_timed_out(limits), seconds=now - started)
                        if not record(task, timed_out):
                            pending.clear()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------- worker processes
def _worker_main(conn: Connection, work: WorkFn, options: ExtractOptions, memory: int | None) -> None:
    """A worker process: read one path at a time from ``conn``, answer with its ``WorkResult``.

    Ctrl-C is left to the parent (which ends its workers itself), and the
    worker exits when the parent is gone (even after ``kill -9``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    apply_worker_memory(memory)
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            result = _call(work, path, options)
        except MemoryError:
            limit_mb = (memory or 0) // (1024 * 1024)
            result = WorkResult(path=path, error=f"ran out of memory (limit {limit_mb} MB per worker)")
        conn.send(result)


def _die_with_parent() -> None:
    """Linux: the kernel sends this worker SIGKILL when the batch process ends, even mid-parse in C code
    (the parent-watch thread needs the GIL, which a long regex or parser call may hold)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _Worker:
    """One worker process and the report it is reading (if any)."""

    def __init__(self, ctx: Any, work: WorkFn, options: ExtractOptions, memory: int | None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, work, options, memory), daemon=True)
        self.proc.start()
        child.close()
        self.task: _Task | None = None
        self.started = 0.0

    def give(self, task: _Task) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task.path)

    def end(self, grace: float = 0.0) -> None:
        """Stop the process: politely (SIGTERM) with a grace period, then SIGKILL."""
        if self.proc.is_alive():
            if grace > 0:
                self.proc.terminate()
                self.proc.join(grace)
            if self.proc.is_alive():
                self.proc.kill()
        self.proc.join(1.0)
        self.conn.close()


class _ProcessPool:
    """``jobs`` worker processes, each reading one report at a time, each replaceable on its own.

    Unlike ``ProcessPoolExecutor`` this knows which report every worker is
    reading and since when, so a report that kills its worker or runs past
    ``--timeout`` fails alone (its worker is killed and replaced), and on
    Ctrl-C every worker is terminated, then killed, within seconds.
    """

    def __init__(self, jobs: int, work: WorkFn, options: ExtractOptions, limits: Limits) -> None:
        self.ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        self.jobs, self.work, self.options, self.limits = jobs, work, options, limits
        self.memory = worker_memory(limits, jobs)
        self.workers: list[_Worker] = []

    def __enter__(self) -> _ProcessPool:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            for w in self.workers:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
            for w in self.workers:
                w.proc.join(5.0)
                w.end()
        else:
            self.stop()

    def stop(self) -> None:
        """End every worker now: SIGTERM, a moment's grace, then SIGKILL (Ctrl-C, or an error in the parent)."""
        for w in self.workers:
            if w.proc.is_alive():
                w.proc.terminate()
        deadline = time.monotonic() + 2.0
        for w in self.workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
        for w in self.workers:
            w.end()
        self.workers.clear()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.ctx, self.work, self.options, self.memory)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.end()

    def run(self, todo: list[_Task], record: Callable[[_Task, WorkResult], bool]) -> None:
        pending: deque[_Task] = deque(todo)
        stopping = False
        while True:
            idle = [w for w in self.workers if w.task is None]
            while pending and not stopping:
                if idle:
                    idle.pop().give(pending.popleft())
                elif len(self.workers) < self.jobs:
                    self._spawn().give(pending.popleft())
                else:
                    break
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                return
            ready = set(mp_wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=_POLL))
            now = time.monotonic()
            for w in busy:
                task = w.task
                assert task is not None
                result: WorkResult | None = None
                if w.conn in ready or w.proc.sentinel in ready:
                    try:
                        if w.conn.poll():
                            result = w.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is None:  # the process ended without an answer
                        w.proc.join(1.0)
                        self._retire(w)
                        died = _died(w.proc.exitcode, self.memory)
                        result = WorkResult(path=task.path, error=died, seconds=now - w.started)
                    else:
                        w.task = None
                elif self.limits.timeout_s is not None and now - w.started > self.limits.timeout_s:
                    self._retire(w)  # killed: whatever it was doing cannot be trusted to stop
                    result = WorkResult(path=task.path, error=_timed_out(self.limits), seconds=now - w.started)
                if result is not None and not record(task, result):
                    stopping = True
                    pending.clear()
