"""``extractor cache stats|clear``: look at and empty the model-answer cache."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from extractor.cli.app import app, err_console
from extractor.cli.options import CacheDirOpt
from extractor.llm.cache import AnswerCache

cache_app = typer.Typer(help="The cache of model answers (JSON, one entry per section request).", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command()
def stats(
    cache_dir: CacheDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on stdout.")] = False,
) -> None:
    """How many answers are cached, per prompt version, and how much disk they use."""
    cache = AnswerCache(cache_dir)
    try:
        figures = cache.stats()
    finally:
        cache.close()
    if as_json:
        typer.echo(figures.model_dump_json())
        return
    table = Table(title=f"answer cache: {figures.directory}", show_edge=False)
    table.add_column("prompt version")
    table.add_column("answers", justify="right")
    for version, count in sorted(figures.by_prompt_version.items()):
        table.add_row(version or "-", str(count))
    table.add_row("[bold]all[/]", f"[bold]{figures.entries}[/]")
    err_console.print(table)
    err_console.print(f"{figures.size_bytes / 1024:.1f} KiB on disk")


@cache_app.command()
def clear(
    cache_dir: CacheDirOpt = None,
    prompt: Annotated[str | None, typer.Option("--prompt", help="Only the answers of this prompt version.")] = None,
) -> None:
    """Remove cached answers (all, or one prompt version's)."""
    cache = AnswerCache(cache_dir)
    try:
        removed = cache.clear(prompt)
    finally:
        cache.close()
    what = f"prompt version {prompt}" if prompt else "all prompt versions"
    err_console.print(f"removed {removed} cached answer(s) of {what} from {Path(cache.directory)}")
