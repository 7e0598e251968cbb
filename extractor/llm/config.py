"""Model-engine settings: which endpoint, which model, how to ask it, how hard to try.

Everything that changes an answer (endpoint, model, mode, prompt version,
generation parameters) lives here so the cache key and ``RunInfo`` can be
built from one object. The API key is a ``SecretStr``: it never shows in a
repr, a log line, an error, a cache key, a cassette or an output file.
Credentials typed into ``--base-url`` (``http://user:KEY@host/v1?api-key=KEY``)
get the same care: the URL is serialised with them blanked out
(``redact_url``), and ``scrub`` removes them, and the key, from any text that
is about to be stored or printed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_serializer,
    model_validator,
)

from extractor.errors import ModelError

ModeName = Literal["tools", "json_schema", "json", "md_json"]

DEFAULT_PROMPT_VERSION = "v3"
OPENAI_BASE_URL = "https://api.openai.com/v1"

ENV_API_KEY = "EXTRACTOR_API_KEY"
ENV_API_KEY_FALLBACK = "OPENAI_API_KEY"
ENV_MODEL = "EXTRACTOR_MODEL"
ENV_BASE_URL = "EXTRACTOR_BASE_URL"

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"}


class ServerProfile(BaseModel):
    """What a kind of server accepts: the mode to use by default and body extras it needs."""

    name: str
    mode: ModeName
    extra_body: dict[str, Any] = Field(default_factory=dict)
    why: str


# Defaults per kind of server (docs/model-engine.md has the same table for people).
# Forced tool_choice (mode "tools") is rejected or ignored by most local servers;
# DeepSeek only offers json_object; Qwen's JSON mode needs thinking switched off.
SERVER_PROFILES: dict[str, ServerProfile] = {
    "openai": ServerProfile(name="openai", mode="tools", why="forced tool calls are honoured"),
    "deepseek": ServerProfile(name="deepseek", mode="json", why="the API offers response_format json_object only"),
    "dashscope": ServerProfile(
        name="dashscope",
        mode="json",
        extra_body={"enable_thinking": False},
        why="Qwen JSON mode is refused while thinking is on",
    ),
    "ollama": ServerProfile(
        name="ollama", mode="json_schema", why="Ollama >= 0.5 enforces json_schema; forced tool_choice is ignored"
    ),
    "vllm": ServerProfile(
        name="vllm",
        mode="json_schema",
        extra_body={"chat_template_kwargs": {"enable_thinking": False}},
        why="vLLM constrains json_schema with a grammar; Qwen3 thinking off",
    ),
    "llama.cpp": ServerProfile(
        name="llama.cpp",
        mode="json",
        extra_body={"chat_template_kwargs": {"enable_thinking": False}},
        why="llama-server downgrades forced tool_choice; nested json_schema fails in some builds",
    ),
    "lmstudio": ServerProfile(name="lmstudio", mode="md_json", why="LM Studio rejects an object tool_choice"),
    "other": ServerProfile(
        name="other", mode="md_json", why="unknown server: the one mode every chat model can follow"
    ),
}


def server_kind(base_url: str | None) -> str:
    """Guess the kind of server from its URL (host name, or the usual port of a local server)."""
    if not base_url:
        return "openai"
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if host.endswith("openai.com"):
        return "openai"
    if "deepseek" in host:
        return "deepseek"
    if "dashscope" in host:
        return "dashscope"
    if host in _LOCAL_HOSTS or host.endswith(".local"):
        return {11434: "ollama", 8000: "vllm", 8080: "llama.cpp", 1234: "lmstudio"}.get(parts.port or 0, "other")
    if "ollama" in host:
        return "ollama"
    return "other"


def public_url(base_url: str | None) -> str:
    """The endpoint without user:password or query: safe for logs, RunInfo and cache keys."""
    url = base_url or OPENAI_BASE_URL
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


_SECRET_PARAM = re.compile(r"key|token|secret|pass|auth|sig|credential", re.I)
_SECRETS: set[str] = set()  # every key and URL credential seen in this process: what ``scrub`` blanks


def url_secrets(url: str | None) -> list[str]:
    """The credentials inside a URL: user and password, and values of query parameters named like keys."""
    if not url:
        return []
    parts = urlsplit(url)
    found = [v for v in (parts.username, parts.password) if v]
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=False) if _SECRET_PARAM.search(k)]
    return [v for v in found if len(v) >= 3]


def redact_url(url: str | None) -> str | None:
    """``url`` with its user:password and secret-looking query values replaced by ``***`` (safe to store)."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username or parts.password:
        netloc = f"***@{netloc}"
    query = urlencode(
        [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        quote_via=quote, safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def scrub(text: str) -> str:
    """``text`` with every known key and URL credential replaced by ``***`` (for errors, logs, the database)."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text


def is_local(base_url: str | None) -> bool:
    host = (urlsplit(base_url).hostname or "").lower() if base_url else ""
    return host in _LOCAL_HOSTS or host.endswith(".local")


class LlmSettings(BaseModel):
    """How to reach and drive the model. Build from the environment with ``from_env``."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None  # None: the OpenAI API
    api_key: SecretStr | None = Field(default=None, repr=False)
    mode: ModeName | None = None  # None: the default for the kind of server (SERVER_PROFILES)
    prompt_version: str = DEFAULT_PROMPT_VERSION
    temperature: float = 0.0
    max_tokens: int = 4096
    seed: int | None = None
    extra_body: dict[str, Any] | None = None  # None: the server profile's extras
    concurrency: int = Field(default=4, ge=1)
    max_retries: int = Field(default=1, ge=0)  # validation re-asks after the first answer (each resends the section)
    http_retries: int = Field(default=3, ge=0)  # 429 / 5xx / timeouts / dropped connections, per request
    timeout: float = Field(default=120.0, gt=0)  # seconds per HTTP request
    cache_dir: Path | None = None  # None: the user cache dir
    use_cache: bool = True
    refresh: bool = False  # ask again even when cached; still store the new answer
    retry_failed: bool = False  # ask again for sections whose cached outcome is a failure
    fallback_reader: bool = False  # the pipeline's choice when the endpoint is unusable

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> LlmSettings:
        """Settings from EXTRACTOR_* (key falls back to OPENAI_API_KEY); explicit non-None overrides win."""
        env = dict(os.environ) if env is None else env
        name = ENV_API_KEY if env.get(ENV_API_KEY) else ENV_API_KEY_FALLBACK
        key = (env.get(name) or "").strip()  # `$(cat key.txt)` brings a newline: never part of a key
        if key and any(ch.isspace() or not ch.isprintable() for ch in key):
            raise ModelError(f"{name} contains spaces or control characters: set it to the key alone.")
        values: dict[str, Any] = {
            "model": env.get(ENV_MODEL) or None,
            "base_url": env.get(ENV_BASE_URL) or None,
            "api_key": SecretStr(key) if key else None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("api_key"), str):
            values["api_key"] = SecretStr(values["api_key"])
        return cls(**values)

    @model_validator(mode="after")
    def _remember_secrets(self) -> LlmSettings:
        """Register the key and URL credentials, so ``scrub`` can blank them wherever they turn up."""
        if self.api_key is not None and len(self.api_key.get_secret_value()) >= 3:
            _SECRETS.add(self.api_key.get_secret_value())
        _SECRETS.update(url_secrets(self.base_url))
        return self

    @field_serializer("base_url")
    def _serialise_base_url(self, url: str | None) -> str | None:
        return redact_url(url)  # credentials never reach the settings JSON of results.db or a run's metadata

    @property
    def server(self) -> ServerProfile:
        return SERVER_PROFILES[server_kind(self.base_url)]

    @property
    def resolved_mode(self) -> ModeName:
        return self.mode or self.server.mode

    @property
    def resolved_extra_body(self) -> dict[str, Any]:
        return dict(self.server.extra_body) if self.extra_body is None else dict(self.extra_body)

    @property
    def endpoint(self) -> str:
        return public_url(self.base_url)

    @property
    def is_configured(self) -> bool:
        """A model name, and a key unless the server is local (local servers take any key)."""
        return bool(self.model) and (self.api_key is not None or is_local(self.base_url))

    def missing(self) -> str | None:
        """One line saying what is missing and how to set it, or None when configured."""
        if not self.model:
            return f"no model set: pass --model or set {ENV_MODEL}"
        if self.api_key is None and not is_local(self.base_url):
            return (
                f"no API key for {self.endpoint}: set {ENV_API_KEY} (or {ENV_API_KEY_FALLBACK}), "
                "or point --base-url at a local server"
            )
        return None

    def generation_params(self) -> dict[str, Any]:
        """What is sent besides the messages and changes the answer (part of every cache key)."""
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.seed is not None:
            params["seed"] = self.seed
        extra = self.resolved_extra_body
        if extra:
            params["extra_body"] = extra
        return params

    def key_value(self) -> str:
        """The key for the HTTP client only; local servers get a placeholder."""
        return self.api_key.get_secret_value() if self.api_key is not None else "no-key-needed"
