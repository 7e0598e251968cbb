"""The HTTP side: an async OpenAI-compatible client driven by instructor, and what its errors mean.

HTTP retries (429 with Retry-After, 5xx, timeouts, dropped connections) are
the OpenAI SDK's own (``max_retries``; it honours ``Retry-After``/``retry-after-ms``
and backs off exponentially with jitter), so they are not written twice.
Validation re-asks are instructor's (``max_retries`` of ``create``). Every
HTTP request is counted through an httpx event hook into a per-task counter
(a ContextVar), so concurrent sections count their own requests.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass

import httpx2
import instructor
import openai
from instructor.core import IncompleteOutputException
from instructor.v2.core.utils import disable_pydantic_error_url

from extractor.errors import ModelError
from extractor.llm.config import LlmSettings

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


@dataclass
class RequestCounter:
    """HTTP requests sent for one call (first try and every SDK retry)."""

    requests: int = 0


_current: contextvars.ContextVar[RequestCounter | None] = contextvars.ContextVar("extractor_llm_requests", default=None)


def start_counting() -> RequestCounter:
    """A fresh counter for the current task (tasks copy the context, so counts do not mix)."""
    counter = RequestCounter()
    _current.set(counter)
    return counter


async def _count_request(request: httpx2.Request) -> None:
    counter = _current.get()
    if counter is not None:
        counter.requests += 1


class _RedactSecrets(logging.Filter):
    """Blanks API keys out of log records: instructor logs every API error's text, and a
    server may echo the key in it."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(secret in message for secret in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "***")
                record.msg, record.args = message, ()
        return True


_REDACT = _RedactSecrets()
# Filters act on the logger a record is logged to (not its parents), so name every logger that logs errors.
_LOGGERS = ("instructor", "instructor.v2", "instructor.v2.retry", "openai", "openai._base_client", "httpx2")


def _guard_logs(settings: LlmSettings) -> None:
    # instructor logs every failed attempt at ERROR; with no logging configured Python would print those
    # on stderr. Failures are reported in RunInfo.failures instead; configure logging to see them.
    instructor_logger = logging.getLogger("instructor")
    if not any(isinstance(h, logging.NullHandler) for h in instructor_logger.handlers):
        instructor_logger.addHandler(logging.NullHandler())
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return
    _REDACT.secrets.add(settings.api_key.get_secret_value())
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


def make_client(settings: LlmSettings) -> instructor.AsyncInstructor:
    """The instructor client for ``settings`` (the key goes only into the Authorization header)."""
    disable_pydantic_error_url()  # error URLs in re-ask messages only cost tokens
    _guard_logs(settings)
    http = httpx2.AsyncClient(
        timeout=httpx2.Timeout(settings.timeout, connect=min(10.0, settings.timeout)),
        event_hooks={"request": [_count_request]},
        # gzip only: zstd responses would not be decoded into readable cassettes
        headers={"Accept-Encoding": "gzip"},
    )
    raw = openai.AsyncOpenAI(
        api_key=settings.key_value(),
        base_url=settings.base_url,
        max_retries=settings.http_retries,
        timeout=settings.timeout,
        http_client=http,
    )
    return instructor.from_openai(raw, mode=MODES[settings.resolved_mode])


def redact(text: str, settings: LlmSettings) -> str:
    """``text`` with the API key blanked out (servers sometimes echo it in errors)."""
    if settings.api_key is not None:
        secret = settings.api_key.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
    return text


def root_cause(exc: BaseException) -> BaseException:
    """The API error under instructor's wrapper (InstructorRetryException keeps it as __cause__)."""
    seen = 0
    while seen < 10:
        if isinstance(exc, openai.APIError) or isinstance(exc, IncompleteOutputException):
            return exc
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            return exc
        exc, seen = nxt, seen + 1
    return exc


def _endpoint_line(settings: LlmSettings) -> str:
    return f"{settings.endpoint} (model {settings.model})"


def fatal_error(exc: BaseException, settings: LlmSettings) -> ModelError | None:
    """A ModelError when the endpoint itself is unusable (so every section would fail), else None.

    Unusable: wrong key, no permission, unknown model/path, nothing listening.
    Transient or section-specific (timeouts, 429, 5xx, dropped connections,
    400 for one request, validation) is not fatal: that section fails alone.
    """
    cause = root_cause(exc)
    where = _endpoint_line(settings)
    if isinstance(cause, openai.AuthenticationError):
        return ModelError(
            redact(f"the model endpoint {where} refused the API key (401): check EXTRACTOR_API_KEY", settings)
        )
    if isinstance(cause, openai.PermissionDeniedError):
        return ModelError(
            redact(f"the model endpoint {where} denied access (403): check the key's permissions", settings)
        )
    if isinstance(cause, openai.NotFoundError):
        return ModelError(
            redact(
                f"the model endpoint {where} answered 404: check --model and --base-url (it usually ends in /v1)",
                settings,
            )
        )
    if isinstance(cause, openai.APIConnectionError) and not isinstance(cause, openai.APITimeoutError):
        inner = cause.__cause__
        if isinstance(inner, (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError)):
            return None  # the server dropped one connection: retry-worthy, section-level
        detail = f": {type(inner).__name__}" if inner is not None else ""
        return ModelError(
            redact(
                f"cannot reach the model endpoint {where}{detail}; is the server running and --base-url right?",
                settings,
            )
        )
    return None


def describe_failure(exc: BaseException, settings: LlmSettings) -> str:
    """One line for RunInfo.failures / Reading.problems (never the key)."""
    cause = root_cause(exc)
    if isinstance(cause, IncompleteOutputException):
        return "the answer was cut off at max_tokens (finish_reason=length)"
    if isinstance(cause, openai.APITimeoutError):
        return f"timed out after {settings.timeout:g}s ({settings.http_retries} retries)"
    if isinstance(cause, openai.RateLimitError):
        return f"rate limited (429) after {settings.http_retries} retries"
    if isinstance(cause, openai.InternalServerError):
        return f"server error {cause.status_code} after {settings.http_retries} retries"
    if isinstance(cause, openai.APIStatusError):
        return redact(f"the server refused the request ({cause.status_code}): {cause.message}"[:300], settings)
    if isinstance(cause, openai.APIConnectionError):
        return f"connection failed ({type(cause.__cause__).__name__ if cause.__cause__ else 'no answer'})"
    return redact(f"{type(cause).__name__}: {cause}"[:300], settings)
