"""``extractor cache stats|clear`` and the shared model options."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from extractor.cli.app import app
from extractor.cli.options import (
    BaseUrlOpt,
    CacheDirOpt,
    ConcurrencyOpt,
    FallbackReaderOpt,
    ModelOpt,
    ModeOpt,
    NoCacheOpt,
    PromptOpt,
    RefreshOpt,
    llm_settings,
)
from extractor.llm.cache import AnswerCache, CachedAnswer

import extractor.cli.commands  # noqa: F401  (registers the commands)

runner = CliRunner()


def test_cache_stats_and_clear(tmp_path):
    cache = AnswerCache(tmp_path)
    cache.put("a", CachedAnswer(answer={}, prompt_version="v1"))
    cache.put("b", CachedAnswer(answer={}, prompt_version="v2"))
    cache.close()
    result = runner.invoke(app, ["cache", "stats", "--cache-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["entries"] == 2 and figures["by_prompt_version"] == {"v1": 1, "v2": 1}
    result = runner.invoke(app, ["cache", "stats", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0 and "v2" in result.stderr and result.stdout == ""
    result = runner.invoke(app, ["cache", "clear", "--cache-dir", str(tmp_path), "--prompt", "v1"])
    assert result.exit_code == 0 and "removed 1" in result.stderr
    assert AnswerCache(tmp_path).stats().by_prompt_version == {"v2": 1}


def test_shared_options_build_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("EXTRACTOR_API_KEY", "sk-cli-secret")
    monkeypatch.setenv("EXTRACTOR_MODEL", "from-env")
    probe = typer.Typer()
    seen = {}

    @probe.command()
    def run(model: ModelOpt = None, base_url: BaseUrlOpt = None, mode: ModeOpt = None, prompt: PromptOpt = "v2",
            concurrency: ConcurrencyOpt = 4, cache_dir: CacheDirOpt = None, no_cache: NoCacheOpt = False,
            refresh: RefreshOpt = False, fallback_reader: FallbackReaderOpt = False) -> None:
        seen["s"] = llm_settings(model=model, base_url=base_url, mode=mode, prompt=prompt, concurrency=concurrency,
                                 cache_dir=cache_dir, no_cache=no_cache, refresh=refresh, fallback_reader=fallback_reader)

    result = runner.invoke(probe, ["--base-url", "http://localhost:11434/v1", "--mode", "md_json", "--prompt", "v1",
                                   "--concurrency", "8", "--cache-dir", str(tmp_path), "--no-cache", "--fallback-reader"])
    assert result.exit_code == 0, result.output
    s = seen["s"]
    assert s.model == "from-env" and s.base_url == "http://localhost:11434/v1" and s.resolved_mode == "md_json"
    assert s.prompt_version == "v1" and s.concurrency == 8 and s.cache_dir == tmp_path
    assert not s.use_cache and s.fallback_reader and s.api_key.get_secret_value() == "sk-cli-secret"
    assert runner.invoke(probe, ["--mode", "tool"]).exit_code == 2  # a usage error, not a traceback
