"""``extractor extract``: one report to JSON, or many reports into a resumable results database."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from extractor import api
from extractor.atomic import atomic_write_text
from extractor.batch import (
    SUPPORTED_SUFFIXES,
    BatchCounts,
    BatchSummary,
    ReportOutcome,
    run_batch,
    uses_model,
)
from extractor.cli.app import app, err_console
from extractor.cli.options import (
    BaseUrlOpt,
    CacheDirOpt,
    ConcurrencyOpt,
    EngineChoice,
    FallbackReaderOpt,
    MaxSizeOpt,
    ModelOpt,
    ModeOpt,
    NoCacheOpt,
    PromptOpt,
    RefreshOpt,
    RetryFailedOpt,
    llm_settings,
)
from extractor.errors import ExitCode, ExtractorError, ModelError, printable
from extractor.limits import (
    DEFAULT_MAX_SIZE_MB,
    DEFAULT_TIMEOUT_S,
    Limits,
    memory_limit,
    time_limit,
    worker_memory,
)
from extractor.limits import configure as configure_limits
from extractor.llm.config import DEFAULT_PROMPT_VERSION
from extractor.pipeline import ExtractOptions
from extractor.readings import Extraction


def _is_batch(inputs: list[Path], out: Path | None) -> bool:
    """Many inputs, a directory, or ``--out`` naming an existing directory make a batch."""
    if len(inputs) > 1 or any(p.is_dir() for p in inputs):
        return True
    return out is not None and out.is_dir()


@app.command()
def extract(
    inputs: list[Path] = typer.Argument(
        ..., help="Report files (.txt .md .html .htm .docx .pdf; scans: .pdf .png .jpg .tif with the ocr extra) "
        "or directories (searched recursively).",
        show_default=False, metavar="FILE_OR_DIR",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o",
        help="One report: write its JSON to this file (default or '-': stdout). Several reports, a directory, "
        "or an existing directory here: the output directory, holding the results database results.db.",
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1,
        help="Reports extracted at once (default and most: one per CPU core for the reader engine; "
        "--concurrency with a model); for one scanned report, pages recognised at once.",
    ),
    max_size: MaxSizeOpt = DEFAULT_MAX_SIZE_MB,
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT_S, "--timeout", min=0.1,
        help="Seconds one report may take; past it, its worker is killed and the report recorded as failed "
        "(a batch goes on).",
    ),
    engine: EngineChoice | None = typer.Option(
        None, "--engine", "-e", case_sensitive=False, show_default=False,
        help="reader (no model needed), llm (the model alone) or both (reconciled). "
        "Default: both when a model is configured, else reader.",
    ),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
    prompt: PromptOpt = DEFAULT_PROMPT_VERSION,
    concurrency: ConcurrencyOpt = 4,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    refresh: RefreshOpt = False,
    retry_failed: RetryFailedOpt = False,
    fallback_reader: FallbackReaderOpt = False,
) -> None:
    """Extract the canonical record of one report, or of a whole batch (resumable: rerun to continue).

    A batch (several files, a directory, or --out naming a directory) writes
    DIR/results.db, shows progress on stderr, and exits 6 when some reports
    failed; see `extractor export` for JSONL/CSV/XLSX.
    """
    limits = Limits(max_size_mb=max_size, timeout_s=timeout)
    configure_limits(limits)
    settings = llm_settings(
        model=model, base_url=base_url, mode=mode, prompt=prompt, concurrency=concurrency, cache_dir=cache_dir,
        no_cache=no_cache, refresh=refresh, fallback_reader=fallback_reader, retry_failed=retry_failed,
    )
    reader_by_default = engine is None and not settings.is_configured
    # The library's choice of engine; an unconfigured model fails here, before a batch records every report as failed.
    options = api.extract_options(engine.value if engine else None, settings)
    if not _is_batch(inputs, out):
        # The reader alone: bound this process as a batch bounds its workers (a model engine's threads need room).
        memory = None if uses_model(options) else worker_memory(limits, 1)
        with memory_limit(memory):
            extraction = _extract_one(inputs[0], options, limits, jobs)
        text = json.dumps(extraction.to_json_dict(), ensure_ascii=False, indent=2)
        if reader_by_default:
            _note_reader_only()
        _note_fallback(extraction.run.failures)
        if out is None or str(out) == "-":
            typer.echo(text)
        else:
            atomic_write_text(out, text + "\n")
        return

    if out is None:
        raise ExtractorError("several reports or a directory need --out DIR (the results directory).", ExitCode.USAGE)
    if out.suffix.lower() in (".json", ".jsonl") and not out.is_dir():
        raise ExtractorError(
            f"--out {out}: a batch writes a directory (DIR/results.db); use `extractor export DIR` for JSONL.",
            ExitCode.USAGE,
        )
    if reader_by_default:
        _note_reader_only()
    try:
        summary = _run_with_progress(inputs, out, options, jobs, limits)
    except KeyboardInterrupt:
        err_console.print(
            f"[yellow]interrupted[/]: finished reports are kept in {printable(out)}; "
            "run the same command again to resume.",
            highlight=False, soft_wrap=True,
        )
        if uses_model(options):
            # Model calls in flight run in threads that cannot be cancelled; do not wait for their
            # timeouts. Everything finished is committed; the answer cache is transactional.
            sys.stderr.flush()
            os._exit(130)
        raise
    _print_summary(summary)
    if summary.stopped:
        raise ModelError(
            f"{summary.stopped} — the batch stopped early; finished reports are kept: "
            "fix the endpoint and run the same command again to continue."
        )
    if summary.failures:
        # An ExtractorError (not typer.Exit): the error boundary turns it into exit code 6 in every mode.
        raise ExtractorError(
            f"{len(summary.failures)} of {summary.files} reports failed (listed above); finished reports are kept: "
            "fix or remove those files and run the same command again.",
            ExitCode.PARTIAL,
        )


def _extract_one(path: Path, options: ExtractOptions, limits: Limits, jobs: int | None = None) -> Extraction:
    """One report (within --timeout), with progress bars on stderr: its OCR'd pages (a scan, recognised
    ``jobs`` pages at a time, default one per CPU core), its model requests (a model)."""
    with time_limit(limits.timeout_s, path):
        return _extract_one_now(path, options, jobs)


def _extract_one_now(path: Path, options: ExtractOptions, jobs: int | None) -> Extraction:
    from extractor.ocr import OcrSettings, ocr_settings

    with Progress(
        TextColumn("[bold]{task.fields[stage]}[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console, transient=True,
    ) as progress:
        ocr_task = None

        def on_page(done: int, total: int) -> None:
            nonlocal ocr_task
            if ocr_task is None:
                ocr_task = progress.add_task(path.name, total=total, stage="OCR pages")
            progress.update(ocr_task, completed=done, total=total)

        with ocr_settings(OcrSettings(jobs=jobs or os.cpu_count() or 1, on_page=on_page)):
            if not uses_model(options):
                return api.extract(path, options=options)
            task = progress.add_task(path.name, total=None, stage="model")
            return api.extract(
                path, options=options,
                on_model_call=lambda done, total: progress.update(task, completed=done, total=total),
            )


def _note_reader_only() -> None:
    err_console.print(
        "[dim]no model configured (--model / EXTRACTOR_MODEL, and a key): used the reader engine alone[/]",
        soft_wrap=True,
    )


def _note_fallback(failures: list[str]) -> None:
    """Say on stderr when the model was asked for but the reader had to answer alone (--fallback-reader)."""
    for failure in failures:
        if failure.startswith("model engine not used"):
            note = f"[yellow]note:[/] {failure}; the record is the reader's"
            err_console.print(note, highlight=False, soft_wrap=True)


def _run_with_progress(
    inputs: list[Path], out: Path, options: ExtractOptions, jobs: int | None, limits: Limits
) -> BatchSummary:
    progress = Progress(
        TextColumn("[bold]extract[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed[/]"),
        TextColumn("{task.fields[skipped]} done before"),
        TextColumn("{task.fields[requests]} requests · {task.fields[cache_hits]} cached"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
    )
    task_id = progress.add_task("extract", total=None, failed=0, skipped=0, requests=0, cache_hits=0)

    def update(counts: BatchCounts, _outcome: ReportOutcome | None) -> None:
        progress.update(
            task_id, total=counts.total, completed=counts.done, failed=counts.failed, skipped=counts.skipped,
            requests=counts.requests, cache_hits=counts.cache_hits,
        )

    with progress:
        def notice(message: str) -> None:
            progress.console.print(f"[yellow]note:[/] {printable(message)}", highlight=False, soft_wrap=True)

        return run_batch(inputs, out, options, jobs=jobs, progress=update, limits=limits, notice=notice)


def _print_summary(summary: BatchSummary) -> None:
    line = (
        f"{summary.files} files: {summary.extracted} extracted, {len(summary.failures)} failed, "
        f"{summary.skipped} already done, {len(summary.duplicates)} duplicates "
        f"in {summary.seconds:.1f}s → {printable(summary.db_path)}"
    )
    if summary.ignored:
        line += f" · {summary.ignored} other files ignored (not {'/'.join(SUPPORTED_SUFFIXES)})"
    if summary.cross_year_findings is not None:  # None when the batch was run without cross-year checks
        line += f" · {summary.cross_year_findings} cross-year checks failed"
    err_console.print(line, highlight=False, soft_wrap=True)
    if summary.partial:
        partly = len(summary.partial)
        err_console.print(f"[yellow]{partly} reports only partly read by the model[/] (a rerun retries them):")
        for o in summary.partial:
            _print_outcome_line(o.path, o.error)
    if summary.failures:
        err_console.print("[bold red]failures[/]:")
        for f in summary.failures:
            _print_outcome_line(f.path, f.error)


def _print_outcome_line(path: str, error: str | None) -> None:
    """One indented ``path: error`` line, printed as is (a path may hold [brackets])."""
    err_console.print(f"  {printable(path)}: {printable(error)}", highlight=False, markup=False, soft_wrap=True)
