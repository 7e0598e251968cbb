"""The API key never lands anywhere but the Authorization header.

End to end, as a user runs it: a batch with both engines against the suite's
local OpenAI-compatible server (answers written by hand), then exports and a
review page, then a refused key. Every byte written — stdout, stderr, the
results database, exports, the review page, the answer cache — and every
cassette in the repository is searched for the key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from llm_answers import by_title
from openai_server import OpenAIServer, Reply

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-e2e-secret-4f1c9a7b3d"
REPORT = ROOT / "eval" / "reports" / "hebei-gxt-2021.txt"

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, env=env, timeout=300, check=False)


def _every_file(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


@pytest.mark.slow
def test_the_key_is_nowhere_in_outputs_logs_cache_or_errors(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / REPORT.name).write_bytes(REPORT.read_bytes())
    out, cache = tmp_path / "out", tmp_path / "cache"
    with OpenAIServer(by_title()) as server:
        env = {**os.environ, "EXTRACTOR_API_KEY": SECRET, "EXTRACTOR_MODEL": "hand-written",
               "EXTRACTOR_BASE_URL": server.url, "PYTHONWARNINGS": "always"}
        env.pop("OPENAI_API_KEY", None)
        runs = [
            _run("extract", str(inputs), "--out", str(out), "--cache-dir", str(cache), "--mode", "tools", env=env),
            _run("extract", str(REPORT), "--out", str(tmp_path / "one.json"), "--cache-dir", str(cache), env=env),
            _run("export", str(out), "--format", "jsonl", "--output", str(tmp_path / "all.jsonl"), env=env),
            _run("export", str(out), "--format", "csv", "--output", str(tmp_path / "all.csv"), env=env),
            _run("review", str(tmp_path / "one.json"), "--out", str(tmp_path / "page.html"), env=env),
        ]
        assert server.requests, "the model engine was not called"
        assert all(r.headers.get("authorization") == f"Bearer {SECRET}" for r in server.requests)
    for run in runs:
        assert run.returncode == 0, run.stderr.decode()
    with OpenAIServer(lambda r: Reply.error(401, f"Incorrect API key provided: {SECRET}")) as server:
        refused = _run("extract", str(REPORT), "--no-cache", env={**env, "EXTRACTOR_BASE_URL": server.url})
    assert refused.returncode == 4 and b"401" in refused.stderr and b"Traceback" not in refused.stderr

    written = _every_file(tmp_path)
    assert any(p.name == "results.db" for p in written) and any(p.parent == cache or cache in p.parents for p in written)
    for run in [*runs, refused]:
        assert SECRET.encode() not in run.stdout + run.stderr
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), f"the key was written to {path}"


def test_no_cassette_holds_a_credential() -> None:
    cassettes = [p for p in _every_file(ROOT / "cassettes") if p.suffix in (".yaml", ".yml", ".json")]
    assert cassettes
    for path in cassettes:
        text = path.read_text(encoding="utf-8").lower()
        assert "authorization:" not in text and "api-key:" not in text and "bearer " not in text, path
        assert "sk-" not in text, path
