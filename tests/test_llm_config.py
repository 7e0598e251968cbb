"""Model settings: environment, defaults per server, and a key that never shows."""

from __future__ import annotations

import pytest

from extractor.llm.config import LlmSettings, public_url, server_kind

KEY = "sk-config-test-secret"


def test_key_from_extractor_env_then_openai_env():
    env = {"EXTRACTOR_API_KEY": KEY, "OPENAI_API_KEY": "other", "EXTRACTOR_MODEL": "qwen2.5:7b",
           "EXTRACTOR_BASE_URL": "http://localhost:11434/v1"}
    s = LlmSettings.from_env(env)
    assert s.api_key.get_secret_value() == KEY and s.model == "qwen2.5:7b" and s.base_url == "http://localhost:11434/v1"
    assert LlmSettings.from_env({"OPENAI_API_KEY": "fallback"}).api_key.get_secret_value() == "fallback"
    assert LlmSettings.from_env({}).api_key is None


def test_command_line_overrides_win_and_none_keeps_the_environment():
    env = {"EXTRACTOR_MODEL": "env-model", "EXTRACTOR_BASE_URL": "http://localhost:8000/v1"}
    s = LlmSettings.from_env(env, model="cli-model", base_url=None, concurrency=16)
    assert s.model == "cli-model" and s.base_url == "http://localhost:8000/v1" and s.concurrency == 16


def test_the_key_never_appears_in_repr_str_or_dumps():
    s = LlmSettings(model="m", api_key=KEY)
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump()), str(s.generation_params())):
        assert KEY not in text


@pytest.mark.parametrize(
    ("url", "kind", "mode"),
    [
        (None, "openai", "tools"),
        ("https://api.openai.com/v1", "openai", "tools"),
        ("https://api.deepseek.com", "deepseek", "json"),
        ("https://dashscope.aliyuncs.com/compatible-mode/v1", "dashscope", "json"),
        ("http://localhost:11434/v1", "ollama", "json_schema"),
        ("http://127.0.0.1:8000/v1", "vllm", "json_schema"),
        ("http://localhost:8080/v1", "llama.cpp", "json"),
        ("http://localhost:1234/v1", "lmstudio", "md_json"),
        ("https://llm.example.org/v1", "other", "md_json"),
    ],
)
def test_default_mode_per_kind_of_server(url, kind, mode):
    assert server_kind(url) == kind
    s = LlmSettings(model="m", base_url=url)
    assert s.resolved_mode == mode
    assert LlmSettings(model="m", base_url=url, mode="tools").resolved_mode == "tools"  # --mode wins


def test_thinking_is_switched_off_where_json_mode_needs_it():
    assert LlmSettings(model="qwen-plus", base_url="https://dashscope.aliyuncs.com/compatible-mode/v1").generation_params()[
        "extra_body"
    ] == {"enable_thinking": False}
    assert "extra_body" not in LlmSettings(model="gpt-4o").generation_params()
    assert LlmSettings(model="m", base_url="http://localhost:8000/v1", extra_body={}).generation_params().get("extra_body") is None


def test_is_configured_needs_a_model_and_a_key_unless_local():
    assert not LlmSettings().is_configured
    assert not LlmSettings(model="gpt-4o").is_configured
    assert "EXTRACTOR_API_KEY" in LlmSettings(model="gpt-4o").missing()
    assert LlmSettings(model="gpt-4o", api_key=KEY).is_configured
    assert LlmSettings(model="qwen2.5:7b", base_url="http://localhost:11434/v1").is_configured
    assert LlmSettings(model="qwen2.5:7b", base_url="http://localhost:11434/v1").key_value() == "no-key-needed"


def test_public_url_drops_credentials_and_query():
    assert public_url("https://user:pw@llm.example.org:8443/v1/?key=abc") == "https://llm.example.org:8443/v1"
    assert public_url(None) == "https://api.openai.com/v1"
    assert LlmSettings(model="m", base_url="http://u:secret@localhost:11434/v1").endpoint == "http://localhost:11434/v1"
