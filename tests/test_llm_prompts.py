"""Versioned prompt files: complete, renderable, and the report text only ever a variable."""

from __future__ import annotations

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from extractor.errors import ExitCode, ExtractorError
from extractor.llm.prompts import TASKS, available_versions, check_version, load_prompt, prompts_root

VARIABLES = {"source": "SOURCE{{ not template }}", "heading": "H", "layout": "2021", "rows": "R", "columns": "C",
             "groups": "G", "outcomes": "O", "keys": "K", "kind": "annual report", "task": "t"}


def test_versions_ship_with_the_package():
    assert {"v1", "v2"} <= set(available_versions())
    assert prompts_root().name == "prompt_files"  # the link inside the package, also in a non-editable install


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("task", TASKS)
def test_every_prompt_renders_and_takes_the_text_as_a_variable(version, task):
    prompt = load_prompt(version, task)
    assert prompt.user.count("{{ source }}") == 1 and "{{ source }}" not in prompt.system
    env = SandboxedEnvironment(undefined=StrictUndefined)
    rendered = [env.from_string(m["content"]).render(**VARIABLES) for m in prompt.messages()]
    assert "SOURCE{{ not template }}" in rendered[1]  # a variable's value is not re-rendered
    if version == "v2":
        assert "Example" in rendered[0] and "{%" not in rendered[0]


def test_unknown_version_is_one_clear_error():
    with pytest.raises(ExtractorError, match="no prompt 'meta' for prompt version 'v9'.*versions: v1, v2") as err:
        check_version("v9")
    assert err.value.exit_code == ExitCode.USAGE
