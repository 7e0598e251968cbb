"""Docs that cannot drift: the generated command reference is current, the Python examples run."""

from __future__ import annotations

import pydoc
import re
import subprocess
import sys
from pathlib import Path

import pytest

import extractor
from extractor.cli import docs

ROOT = Path(__file__).resolve().parent.parent
NEEDS_MODEL = "# needs a model endpoint"


def python_blocks(markdown: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown.read_text(encoding="utf-8"), re.S | re.M)


def test_command_reference_and_readme_table_are_generated_from_the_cli() -> None:
    """Stale? Run `python -m extractor.cli.docs` and commit docs/cli.md and README.md."""
    assert docs.render_cli_md() == docs.CLI_MD.read_text(encoding="utf-8"), "docs/cli.md is stale"
    assert docs.main(["--check"]) == 0, "README.md's command table is stale"


def test_command_reference_lists_every_command_and_option() -> None:
    text = docs.render_cli_md()
    for command in ("sections", "extract", "check", "review", "export", "eval", "eval compare", "cache stats"):
        assert f"`extractor {command}`" in text
    for option in ("--engine", "--model", "--base-url", "--fallback-reader", "--min-f1", "--across", "--format"):
        assert f"`{option}" in text or f", {option}" in text, option
    assert "EXTRACTOR_MODEL" in text  # env vars are part of the reference


def test_ci_runs_the_readmes_test_commands() -> None:
    """.ci/run must call the README's commands, so "the tests pass" means the same thing on both."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = set(re.findall(r"^(python -m pytest [^\n#]*?)\s*(?:#.*)?$", readme, re.M))
    commands |= set(re.findall(r"&& (python -m pytest [^\n`]*)$", readme, re.M))
    assert len(commands) >= 3, commands  # the unit tests, the slow tests, the eval gate
    for command in commands:
        assert command in ci, f".ci/run does not run the README's `{command}`"


@pytest.mark.parametrize("page", ["docs/python-api.md", "README.md"])
def test_python_examples_run(page: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Every ```python block of the page runs, top to bottom, in one namespace (model examples only compile)."""
    for name in ("EXTRACTOR_MODEL", "EXTRACTOR_BASE_URL", "EXTRACTOR_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)  # the reader engine, whatever the developer's shell holds
    monkeypatch.chdir(ROOT)
    blocks = python_blocks(ROOT / page)
    assert blocks, f"{page} has no python example"
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    for n, block in enumerate(blocks):
        code = compile(block, f"{page} python block {n + 1}", "exec")
        if not block.startswith(NEEDS_MODEL):
            exec(code, namespace)  # noqa: S102 - the documentation's own examples
    assert "Traceback" not in capsys.readouterr().err


def test_help_shows_the_documented_entry_point() -> None:
    page = pydoc.render_doc(extractor.extract, renderer=pydoc.plaintext)
    assert "Extract the canonical record of one report" in page
    for parameter in ("source", "text", "engine", "model", "base_url", "settings"):
        assert f"{parameter}:" in page
    from extractor import api

    assert extractor.extract is api.extract and extractor.Record.__module__ == "extractor.record"
    assert set(extractor.__all__) <= set(dir(extractor))


def test_the_package_ships_its_types_and_imports_lazily() -> None:
    assert (ROOT / "extractor" / "py.typed").is_file()
    assert '"extractor" = ["py.typed"]' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    probe = "import sys, extractor; print(sorted(m for m in sys.modules if m.startswith('extractor.')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"  # `import extractor` costs nothing until a function is used
