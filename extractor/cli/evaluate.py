"""``extractor eval``: score extractions against the hand-labelled eval set; ``eval compare`` diffs runs."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from extractor.cli.app import app, err_console
from extractor.cli.options import (
    BaseUrlOpt,
    CacheDirOpt,
    ConcurrencyOpt,
    EngineChoice,
    ModelOpt,
    ModeOpt,
    NoCacheOpt,
    RefreshOpt,
    RetryFailedOpt,
    llm_settings,
)
from extractor.errors import ExitCode, ExtractorError
from extractor.evaluation import (
    GROUPS,
    CompareRow,
    EvalRun,
    compare_reports,
    load_eval_set,
    load_run,
    run_eval,
    summary,
    write_run,
)
from extractor.evaluation.runner import default_out_dir
from extractor.pipeline import ExtractOptions

eval_app = typer.Typer(name="eval", no_args_is_help=False, rich_markup_mode="rich")
app.add_typer(eval_app, name="eval")

_SHOWN_WRONG_CELLS = 15


# Short row labels so the table fits an 80-column stderr.
_GROUP_LABELS: dict[str, str] = {
    "active_disclosure": "active 二", "applications": "apps 三", "review_litigation": "review 四",
}


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}"


def _pct1(value: float | None) -> str:
    return _pct(value, 1)


@eval_app.callback(invoke_without_command=True)
def eval_run(
    ctx: typer.Context,
    eval_dir: Path = typer.Option(
        Path("eval"), "--eval-dir", help="Directory with manifest.jsonl, reports/ and gold/."
    ),
    engine: EngineChoice = typer.Option(EngineChoice.reader, "--engine", help="Which engine extracts."),
    prompt: list[str] | None = typer.Option(
        None, "--prompt", help="Prompt version for the model engine; repeat to run one eval per prompt, side by side."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Run directory \\[default: runs/<timestamp>/]."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON on stdout."),
    min_f1: float | None = typer.Option(
        None, "--min-f1", min=0.0, max=1.0,
        help="Exit with code 5 when overall micro F1 is below this (with several prompts: when any run is).",
    ),
    report: list[str] | None = typer.Option(None, "--report", help="Only this report id (repeatable)."),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
    concurrency: ConcurrencyOpt = 4,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    refresh: RefreshOpt = False,
    retry_failed: RetryFailedOpt = False,
) -> None:
    """Extract every report of the eval set and score it against the gold records.

    Figures: micro P/R/F1 overall and per field group, cell exact-match per table, section headings, claims,
    and the checker's findings against the gold source inconsistencies. The table goes to stderr; run.json
    (every figure, engine, model, prompt, git revision, gold-set hash) and predictions.jsonl go into the run
    directory; --json prints the summary on stdout. Exit code 5 when overall F1 is below --min-f1.
    Compare runs with [bold]extractor eval compare A/run.json B/run.json[/].
    """
    if ctx.invoked_subcommand is not None:
        return
    eval_set = load_eval_set(eval_dir, report)
    prompts: list[str | None] = list(prompt) if prompt else [None]
    base = out or default_out_dir()
    runs: list[EvalRun] = []
    settings = llm_settings(
        model=model, base_url=base_url, mode=mode, concurrency=concurrency, cache_dir=cache_dir,
        no_cache=no_cache, refresh=refresh, retry_failed=retry_failed,
    )
    for version in prompts:
        options = ExtractOptions.for_engine(engine.value, settings, version)
        label = engine.value + (f" · prompt {version}" if version else "")
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[report]}"), TimeElapsedColumn(), console=err_console, transient=True,
        ) as progress:
            task = progress.add_task(f"extracting ({label})", total=len(eval_set.entries), report="")
            run = run_eval(eval_set, options, on_report=partial(_advance, progress, task))
        target = base if len(prompts) == 1 else base / (version or "default")
        run_json = write_run(run, target)
        err_console.print(_run_table(run, label))
        _print_details(run)
        err_console.print(f"run written to [bold]{run_json}[/] and {run_json.parent / 'predictions.jsonl'}")
        runs.append(run)
    if len(runs) > 1:
        err_console.print(_compare_table(compare_reports([r.scores for r in runs]), [_run_label(r) for r in runs]))
    if as_json:
        data = [summary(r) for r in runs]
        typer.echo(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    if min_f1 is not None:
        below = [r for r in runs if (r.scores.overall.f1 or 0.0) < min_f1]
        if below:
            figures = ", ".join(f"{_run_label(r)} {_pct(r.scores.overall.f1)}%" for r in below)
            # An ExtractorError, not typer.Exit: the error boundary turns it into exit code 5 in every mode.
            raise ExtractorError(f"overall micro F1 below --min-f1 {_pct(min_f1)}%: {figures}", ExitCode.FINDINGS)


def _advance(progress: Progress, task: TaskID, report: str) -> None:
    """Move the bar one report on and show which report was just read."""
    progress.update(task, advance=1, report=report)


@eval_app.command("compare")
def eval_compare(
    runs: list[Path] = typer.Argument(
        ..., help="Two or more run.json files (or run directories); the first is the baseline."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON on stdout."),
) -> None:
    """Per-group P/R/F1 and cell accuracy of several runs side by side, with deltas against the first."""
    if len(runs) < 2:
        raise typer.BadParameter("give at least two runs to compare", param_hint="RUNS")
    loaded = [load_run(p) for p in runs]
    base = loaded[0].manifest
    for path, run in zip(runs[1:], loaded[1:], strict=True):  # one loaded run per path
        if set(run.manifest.reports) != set(base.reports) or run.manifest.gold_sha256 != base.gold_sha256:
            err_console.print(
                f"[yellow]warning:[/] {path} scores other reports or another gold set than {runs[0]}: "
                "the deltas mix that difference in.", highlight=False, soft_wrap=True,
            )
    rows = compare_reports([r.scores for r in loaded])
    err_console.print(_compare_table(rows, [f"{p}" for p in runs]))
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2))


# ------------------------------------------------------------------ views
def _run_label(run: EvalRun) -> str:
    m = run.manifest
    parts = [m.engine, m.model, f"prompt {m.prompt_version}" if m.prompt_version else None]
    return " · ".join(p for p in parts if p)


def _usage_line(run: EvalRun) -> str:
    """The model's cost: requests, cache hits, prompt and completion tokens (in all and per report)."""
    u = run.manifest.model_usage
    if u is None:
        return ""
    n = max(1, len(u.per_report))
    return (
        f"\nmodel: {u.requests} requests, {u.cache_hits} cache hits · tokens prompt {u.prompt_tokens} "
        f"({u.prompt_tokens // n} per report), "
        f"completion {u.completion_tokens} ({u.completion_tokens // n} per report); "
        "per report in run.json (manifest.model_usage)"
    )


def _run_table(run: EvalRun, label: str) -> Table:
    s = run.scores
    table = Table(
        title=f"eval · {label} · {s.reports} reports · {run.manifest.seconds:.2f} s (figures in %)",
        title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0),
    )
    table.add_column("group", no_wrap=True)
    for name in ("P", "R", "F1", "TP", "FP", "FN", "TN", "null", "cells", "of"):
        table.add_column(name, justify="right")
    for group in GROUPS:
        if group not in s.groups:
            continue
        c, cells = s.groups[group], s.tables.get(group)
        table.add_row(
            _GROUP_LABELS.get(group, group), _pct1(c.precision), _pct1(c.recall), _pct1(c.f1), str(c.tp), str(c.fp),
            str(c.fn), str(c.tn), str(c.accepted), _pct(cells.rate) if cells else "", str(cells.total) if cells else "",
        )
    c = s.overall
    table.add_row(
        "[bold]overall[/]", _pct1(c.precision), _pct1(c.recall), f"[bold]{_pct1(c.f1)}[/]", str(c.tp), str(c.fp),
        str(c.fn), str(c.tn), str(c.accepted), _pct(s.cells.rate), str(s.cells.total),
    )
    checks = (
        f"checks P {_pct(s.checks.precision)} R {_pct(s.checks.recall)} "
        f"(TP {s.checks.tp} FP {s.checks.fp} FN {s.checks.fn})"
        if s.checks else "checks: no findings to score"
    )
    figures = (
        f"figures P {_pct(s.figures.precision)} R {_pct(s.figures.recall)} F1 {_pct(s.figures.f1)} "
        f"(TP {s.figures.tp} FP {s.figures.fp} FN {s.figures.fn}, {sum(r.figures is not None for r in s.per_report)} "
        "gold files with figures)"
        if s.figures else "figures: no gold file labels them"
    )
    table.caption = (
        f"kind right {s.kind.correct}/{s.kind.total} · {figures} · "
        f"sections right {s.sections.correct}/{s.sections.total} · claims P {_pct(s.claims.precision)} "
        f"R {_pct(s.claims.recall)} ({s.claims.correct} right of {s.claims.gold} gold, "
        f"{s.claims.predicted} predicted) · "
        f"{checks}" + _usage_line(run)
    )
    table.caption_justify = "left"
    return table


def _print_details(run: EvalRun) -> None:
    s = run.scores
    for failure in s.failures:
        err_console.print(f"[red]extraction failed[/] {failure}", highlight=False)
    worst = sorted(((r.cells.rate, r.id) for r in s.per_report if r.cells.total and r.cells.rate is not None))[:5]
    if worst and worst[0][0] < 1:
        lowest = ", ".join(f"{rid} {_pct(rate)}" for rate, rid in worst if rate < 1)
        err_console.print("lowest cell accuracy: " + lowest)
    wrong = s.wrong_cells
    if not wrong:
        return
    err_console.print(f"[bold]wrong cells[/] ({len(wrong)}, wrong numbers first; all of them are in run.json)")
    for cell in sorted(wrong, key=lambda c: not c.wrong_value)[:_SHOWN_WRONG_CELLS]:
        got = f"[red]{_show(cell.got)}[/]" if cell.wrong_value else _show(cell.got)
        quoted = cell.text if cell.text and cell.text.strip() != _show(cell.got) else None
        evidence = quoted or cell.note or ("not in the prediction" if not cell.in_prediction else None)
        err_console.print(
            f"  {cell.report} [bold]{cell.key}[/] gold {_show(cell.gold)} got {got}"
            + (f" [dim]« {evidence} »[/]" if evidence else ""),
            highlight=False,
        )


def _show(value: object) -> str:
    return "null" if value is None else str(value)


def _compare_table(rows: list[CompareRow], labels: list[str]) -> Table:
    table = Table(
        title="compare (figures in %, Δ against the first run)", title_justify="left", box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("figure", no_wrap=True)
    table.add_column("metric")
    for i, label in enumerate(labels):
        table.add_column(label, justify="right")
        if i:
            table.add_column("Δ", justify="right")
    for row in rows:
        cells = [_pct(row.values[0])]
        for value, delta in zip(row.values[1:], row.deltas, strict=True):  # one delta per run after the first
            cells += [_pct(value), _delta(delta)]
        table.add_row(_GROUP_LABELS.get(row.label, row.label), row.metric, *cells)
    return table


def _delta(delta: float | None) -> str:
    if delta is None:
        return "–"
    if abs(delta) < 5e-5:
        return "[dim]±0[/]"
    colour = "green" if delta > 0 else "red"
    return f"[{colour}]{delta * 100:+.2f}[/]"
