"""``extractor extract``: one report to JSON, or many reports into a resumable results database."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from extractor.atomic import atomic_write_text
from extractor.batch import SUPPORTED_SUFFIXES, BatchCounts, BatchSummary, ReportOutcome, run_batch, uses_model
from extractor.cli.app import app, err_console
from extractor.cli.options import (
    BaseUrlOpt,
    CacheDirOpt,
    ConcurrencyOpt,
    EngineChoice,
    FallbackReaderOpt,
    ModelOpt,
    ModeOpt,
    NoCacheOpt,
    PromptOpt,
    RefreshOpt,
    llm_settings,
)
from extractor.errors import ExitCode, ExtractorError, ModelError
from extractor.llm.config import DEFAULT_PROMPT_VERSION
from extractor.pipeline import ExtractOptions, extract_path
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
        help="Reports extracted at once (default: one per CPU core for the reader engine; --concurrency with a model); "
        "for one scanned report, pages recognised at once.",
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
    fallback_reader: FallbackReaderOpt = False,
) -> None:
    """Extract the canonical record of one report, or of a whole batch (resumable: rerun to continue).

    A batch (several files, a directory, or --out naming a directory) writes
    DIR/results.db, shows progress on stderr, and exits 6 when some reports
    failed; see `extractor export` for JSONL/CSV/XLSX.
    """
    settings = llm_settings(
        model=model, base_url=base_url, mode=mode, prompt=prompt, concurrency=concurrency, cache_dir=cache_dir,
        no_cache=no_cache, refresh=refresh, fallback_reader=fallback_reader,
    )
    reader_by_default = engine is None and not settings.is_configured
    if engine is None:
        engine = EngineChoice.both if settings.is_configured else EngineChoice.reader
    if engine is not EngineChoice.reader and not fallback_reader and settings.missing():
        raise ModelError(settings.missing() or "")  # before a batch records every report as failed
    options = ExtractOptions.for_engine(engine.value, settings)
    if not _is_batch(inputs, out):
        extraction = _extract_one(inputs[0], options, jobs)
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
        summary = _run_with_progress(inputs, out, options, jobs)
    except KeyboardInterrupt:
        err_console.print(
            f"[yellow]interrupted[/]: finished reports are kept in {out}; run the same command again to resume.",
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


def _extract_one(path: Path, options: ExtractOptions, jobs: int | None = None) -> Extraction:
    """One report, with progress bars on stderr: its OCR'd pages (scans), its model requests (a model).

    A scanned report's pages are recognised ``jobs`` at a time (default: one per CPU core).
    """
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

        settings = OcrSettings(jobs=jobs or os.cpu_count() or 1, on_page=on_page)
        with ocr_settings(settings):
            if not uses_model(options):
                return extract_path(path, options)
            task = progress.add_task(path.name, total=None, stage="model")
            return extract_path(path, options, lambda done, total: progress.update(task, completed=done, total=total))


def _note_reader_only() -> None:
    err_console.print(
        "[dim]no model configured (--model / EXTRACTOR_MODEL, and a key): used the reader engine alone[/]", soft_wrap=True
    )


def _note_fallback(failures: list[str]) -> None:
    """Say on stderr when the model was asked for but the reader had to answer alone (--fallback-reader)."""
    for failure in failures:
        if failure.startswith("model engine not used"):
            err_console.print(f"[yellow]note:[/] {failure}; the record is the reader's", highlight=False, soft_wrap=True)


def _run_with_progress(inputs: list[Path], out: Path, options: ExtractOptions, jobs: int | None) -> BatchSummary:
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
        return run_batch(inputs, out, options, jobs=jobs, progress=update)


def _print_summary(summary: BatchSummary) -> None:
    line = (
        f"{summary.files} files: {summary.extracted} extracted, {len(summary.failures)} failed, "
        f"{summary.skipped} already done, {len(summary.duplicates)} duplicates "
        f"in {summary.seconds:.1f}s → {summary.db_path}"
    )
    if summary.ignored:
        line += f" · {summary.ignored} other files ignored (not {'/'.join(SUPPORTED_SUFFIXES)})"
    if summary.cross_year_findings is not None:  # None when the batch was run without cross-year checks
        line += f" · {summary.cross_year_findings} cross-year checks failed"
    err_console.print(line, highlight=False, soft_wrap=True)
    if summary.partial:
        err_console.print(f"[yellow]{len(summary.partial)} reports only partly read by the model[/] (a rerun retries them):")
        for o in summary.partial:
            err_console.print(f"  {o.path}: {o.error}", highlight=False, markup=False, soft_wrap=True)
    if summary.failures:
        err_console.print("[bold red]failures[/]:")
        for f in summary.failures:
            err_console.print(f"  {f.path}: {f.error}", highlight=False, markup=False, soft_wrap=True)
