"""Typer options for the model engine, shared by every command that can call a model.

A command declares the ones it needs and turns them into ``LlmSettings`` with
``llm_settings(...)``::

    @app.command()
    def extract(file: Path, model: ModelOpt = None, base_url: BaseUrlOpt = None, mode: ModeOpt = None,
                prompt: PromptOpt = DEFAULT_PROMPT_VERSION, concurrency: ConcurrencyOpt = 4,
                cache_dir: CacheDirOpt = None, no_cache: NoCacheOpt = False, refresh: RefreshOpt = False,
                fallback_reader: FallbackReaderOpt = False) -> None:
        settings = llm_settings(
            model=model, base_url=base_url, mode=mode, prompt=prompt, concurrency=concurrency,
            cache_dir=cache_dir, no_cache=no_cache, refresh=refresh, fallback_reader=fallback_reader,
        )

The API key has no option on purpose (it would land in shell history and
``ps``): it comes from EXTRACTOR_API_KEY, falling back to OPENAI_API_KEY.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from extractor.llm.config import (
    DEFAULT_PROMPT_VERSION,
    ENV_BASE_URL,
    ENV_MODEL,
    LlmSettings,
)

PANEL = "Model engine"


class EngineChoice(str, Enum):
    """The ``--engine`` values (``pipeline.EngineChoice`` as Typer wants it)."""

    reader = "reader"
    llm = "llm"
    both = "both"


class ModeChoice(str, Enum):
    tools = "tools"
    json_schema = "json_schema"
    json = "json"
    md_json = "md_json"


ModelOpt = Annotated[
    str | None, typer.Option("--model", envvar=ENV_MODEL, help="Model name on the endpoint.", rich_help_panel=PANEL)
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar=ENV_BASE_URL,
        help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (Ollama). Default: the OpenAI API.",
        rich_help_panel=PANEL,
    ),
]
ModeOpt = Annotated[
    ModeChoice | None,
    typer.Option(
        "--mode",
        help="How to ask for JSON. Default: chosen for the kind of server (docs/model-engine.md).",
        rich_help_panel=PANEL,
        case_sensitive=False,
    ),
]
PromptOpt = Annotated[
    str, typer.Option("--prompt", help="Prompt version (a directory of prompts/).", rich_help_panel=PANEL)
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", min=1, help="Requests in flight at most.", rich_help_panel=PANEL)
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        file_okay=False,
        help="Answer cache directory (default: the user cache dir).",
        rich_help_panel=PANEL,
    ),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the answer cache.", rich_help_panel=PANEL)
]
RefreshOpt = Annotated[
    bool,
    typer.Option(
        "--refresh", help="Ask the model again even when cached; store the new answers.", rich_help_panel=PANEL
    ),
]
MaxSizeOpt = Annotated[
    float,
    typer.Option(
        "--max-size", min=0.001, metavar="MB",
        help="Largest input accepted, in MB (a DOCX's XML or a PDF's streams may inflate to 4 times this); "
        "larger files are refused before they are read.",
    ),
]
RetryFailedOpt = Annotated[
    bool,
    typer.Option(
        "--retry-failed",
        help="Ask the model again for sections whose cached outcome is a failure (a rerun otherwise reuses it).",
        rich_help_panel=PANEL,
    ),
]
FallbackReaderOpt = Annotated[
    bool,
    typer.Option(
        "--fallback-reader",
        help="If the model endpoint is missing or unreachable, use the reader engine instead of failing (exit 4).",
        rich_help_panel=PANEL,
    ),
]


def llm_settings(
    *,
    model: str | None = None,
    base_url: str | None = None,
    mode: ModeChoice | str | None = None,
    prompt: str = DEFAULT_PROMPT_VERSION,
    concurrency: int = 4,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    refresh: bool = False,
    fallback_reader: bool = False,
    retry_failed: bool = False,
) -> LlmSettings:
    """Settings from the environment, overridden by whatever the command line gave."""
    return LlmSettings.from_env(
        model=model,
        base_url=base_url,
        mode=mode.value if isinstance(mode, ModeChoice) else mode,
        prompt_version=prompt,
        concurrency=concurrency,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        refresh=refresh,
        fallback_reader=fallback_reader,
        retry_failed=retry_failed,
    )
