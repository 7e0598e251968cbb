"""The model engine: runs the planned requests concurrently and returns the report's ``Reading``.

Calls run concurrently, bounded by one semaphore per engine (so the reports
of a batch read through one engine share the limit). Each call looks in the
cache first; a validated answer is stored as JSON. A section that fails keeps
its failure in ``Reading.problems`` and ``RunInfo.failures`` and the other
sections are still read; only an unusable endpoint (``ModelError``) stops the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.hooks import Hooks
from instructor.v2.core.json import extract_json_from_codeblock
from pydantic import BaseModel, ValidationError

from extractor import __version__
from extractor.document import Document
from extractor.errors import ModelError
from extractor.llm.assemble import CallResult, assemble
from extractor.llm.cache import AnswerCache, CachedAnswer, answer_key
from extractor.llm.client import (
    describe_failure,
    fatal_error,
    make_client,
    redact,
    root_cause,
    start_counting,
)
from extractor.llm.config import LlmSettings
from extractor.llm.plan import Call, SectionLike, plan_calls
from extractor.llm.prompts import check_version, load_prompt
from extractor.llm.schemas import answer_rows, ground_row, missing_rows, response_model, skeleton_problem
from extractor.readings import Reading, RunInfo
from extractor.record import Meta


def _usage_tokens(usage: Any) -> tuple[int, int]:
    if usage is None:
        return 0, 0
    return int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)


def _answer_text(completion: Any, mode: str) -> str | None:
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    if mode == "tools" and getattr(message, "tool_calls", None):
        return message.tool_calls[0].function.arguments
    return getattr(message, "content", None)


def salvage(completion: Any, model: type[BaseModel], mode: str) -> BaseModel | None:
    """The last (invalid) answer read without the rules, to keep it with its failure; None if unreadable."""
    text = _answer_text(completion, mode)
    if not text:
        return None
    for candidate in (text, extract_json_from_codeblock(text)):
        try:
            return model.model_validate_json(candidate, context={"lenient": True})
        except ValueError:
            continue
    return None


@lru_cache(maxsize=32)
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    """A response model's JSON schema (part of every cache key; slow to build, so built once)."""
    return model.model_json_schema()


def _first_line(exc: BaseException, limit: int = 400) -> str:
    text = " ".join(str(exc).split())
    return text[:limit]


def _broken_rules(exc: BaseException) -> int:
    """How many rules an attempt broke (our validators join their problems with "; "); invalid JSON: many."""
    if isinstance(exc, ValidationError):
        count = 0
        for error in exc.errors():
            if error.get("type") in ("json_invalid", "json_type"):
                return 10_000
            count += 1 + str(error.get("msg", "")).count("; ")
        return count
    return 10_000


def _best_attempt(attempts: Sequence[Any], model: type[BaseModel], mode: str) -> tuple[BaseModel | None, int, str]:
    """The readable attempt that broke the fewest rules (the last one on a tie), with its count and reason."""
    best: tuple[BaseModel | None, int, str] = (None, 1 << 30, "no answer")
    for attempt in attempts:
        answer = salvage(attempt.completion, model, mode)
        broken = _broken_rules(attempt.exception)
        reason = _first_line(attempt.exception)
        if answer is None:
            if best[0] is None:
                best = (None, best[1], reason)
            continue
        if best[0] is None or broken <= best[1]:
            best = (answer, broken, reason)
    return best


CallProgress = Callable[[int, int], None]


class ModelEngine:
    """An async client, a cache and one concurrency limit, shared by every report read with it.

    Use one engine per event loop: ``async with ModelEngine(settings) as engine: await engine.read(...)``.
    """

    def __init__(self, settings: LlmSettings, cache: AnswerCache | None = None) -> None:
        missing = settings.missing()
        if missing:
            raise ModelError(missing)
        check_version(settings.prompt_version)
        self.settings = settings
        self._owns_cache = cache is None
        self.cache = cache if cache is not None else AnswerCache.from_settings(settings)
        self.client: instructor.AsyncInstructor = make_client(settings)
        self._semaphore = asyncio.Semaphore(settings.concurrency)

    async def __aenter__(self) -> ModelEngine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        # instructor types the client it wraps as optional; make_client always gives one
        openai_client = self.client.client
        if openai_client is not None:
            await openai_client.close()
        if self._owns_cache:
            self.cache.close()

    # -- one call
    def _key(self, call: Call, model: type[BaseModel], prompt_sha: str) -> str:
        s = self.settings
        return answer_key(
            endpoint=s.endpoint,
            model=s.model or "",
            mode=s.resolved_mode,
            prompt_version=s.prompt_version,
            prompt_sha=prompt_sha,
            task=call.task,
            schema=_schema(model),
            generation=s.generation_params(),
            variables=call.variables(),
        )

    async def run_call(self, call: Call) -> CallResult:
        s = self.settings
        prompt = load_prompt(s.prompt_version, call.task)
        model = response_model(call.task, call.layout)
        context = call.variables()
        key = self._key(call, model, prompt.sha256)
        result = CallResult(call=call)
        cached = self.cache.get(key)
        if cached is not None and self._from_cache(result, cached, model, context):
            return result
        hooks = Hooks()
        responses: list[Any] = []

        def _on_response(response: Any = None, *_: Any, **__: Any) -> None:
            result.attempts += 1
            responses.append(response)

        hooks.on("completion:response", _on_response)
        async with self._limit():
            counter = start_counting()
            try:
                answer, completion = await self.client.create_with_completion(
                    messages=prompt.messages(),
                    response_model=model,
                    context=context,
                    max_retries=s.max_retries,
                    hooks=hooks,
                    model=s.model,
                    **s.generation_params(),
                )
            except Exception as exc:  # noqa: BLE001 - classified below, never swallowed silently
                result.requests = counter.requests
                fatal = fatal_error(exc, s)
                if fatal is not None:
                    raise fatal from None
                self._record_failure(result, exc, model, call)
                self._note_dropped(result, responses, model)
                self._store(key, result)
                return result
            result.requests = counter.requests
        result.answer = answer
        result.prompt_tokens, result.completion_tokens = _usage_tokens(getattr(completion, "usage", None))
        self._note_dropped(result, responses, model)
        self._store(key, result)
        return result

    def _limit(self) -> Any:
        return self._semaphore

    def _from_cache(
        self, result: CallResult, cached: CachedAnswer, model: type[BaseModel], context: dict[str, Any]
    ) -> bool:
        """Fill ``result`` from a cache entry; False when it must be asked again (a failure with --retry-failed,
        or an answer the current rules reject)."""
        if cached.failure is not None:
            if self.settings.retry_failed:
                return False
            if cached.answer is not None:
                try:
                    result.answer = model.model_validate(cached.answer, context={"lenient": True})
                except ValueError:
                    return False
            result.failure, result.rejected, result.warnings = cached.failure, cached.rejected, list(cached.warnings)
            result.cache_hit = True
            return True
        try:
            result.answer = model.model_validate(cached.answer, context=context)
        except ValueError:
            return False  # rules changed since it was stored: ask again
        result.cache_hit = True
        return True

    def _store(self, key: str, result: CallResult) -> None:
        s = self.settings
        self.cache.put(
            key,
            CachedAnswer(
                answer=result.answer.model_dump(mode="json") if result.answer is not None else None,
                failure=result.failure,
                rejected=result.rejected,
                warnings=result.warnings,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                attempts=result.attempts,
                model=s.model or "",
                prompt_version=s.prompt_version,
            ),
        )

    def _record_failure(self, result: CallResult, exc: Exception, model: type[BaseModel], call: Call) -> None:
        """The failure by its real cause, with the best attempt kept (fewest broken rules), or rejected."""
        s = self.settings
        cause = root_cause(exc)
        if isinstance(exc, InstructorRetryException):
            result.prompt_tokens, result.completion_tokens = _usage_tokens(exc.total_usage)
            best, problems, reason = _best_attempt(exc.failed_attempts or [], model, s.resolved_mode)
            result.answer = best
            attempts = len(exc.failed_attempts or [])
            if isinstance(cause, (openai.APIError, IncompleteOutputException)):
                why = describe_failure(exc, s) + (f" (after {attempts} invalid answer(s))" if attempts else "")
            else:
                why = f"invalid after {attempts} attempt(s): {reason}"
            if best is None and attempts:
                why += " (answer unreadable, nothing kept)"
            result.failure = redact(why, s)
            if best is not None:
                self._judge_kept(result, best, call)
            return
        result.failure = describe_failure(exc, s)

    def _note_dropped(self, result: CallResult, earlier: Sequence[Any], model: type[BaseModel]) -> None:
        """Rows another attempt gave that the kept answer leaves out: a re-ask answered by a truncated
        answer is reported, never accepted silently."""
        if result.answer is None or not earlier:
            return
        kept = {key for key, _, _ in answer_rows(result.answer)}
        source = result.call.source
        before: set[str] = set()
        for response in earlier:
            old = salvage(response, model, self.settings.resolved_mode)
            if old is not None:  # rows grounded in the text then (an invented row the model withdrew is no loss)
                before |= {
                    key for key, quote, values in answer_rows(old) if key and not ground_row(key, quote, values, source)
                }
        dropped = sorted(before - kept)
        if dropped:
            result.warnings.append(
                f"the model's kept answer leaves out rows it gave in another attempt: {', '.join(dropped)}"
            )

    def _judge_kept(self, result: CallResult, answer: BaseModel, call: Call) -> None:
        """An answer kept after failing: the empty skeleton is rejected; rows left out are reported."""
        source = call.source
        skeleton = skeleton_problem(answer, source)
        if skeleton is not None:
            result.answer = None
            result.rejected = "the model returned an empty skeleton (every value 0) where the text prints numbers"
            return
        missing = missing_rows(answer, call.task, call.layout, source)
        if missing:
            result.warnings.append(f"the model's answer leaves out rows the text prints: {', '.join(missing)}")

    # -- one report
    async def read(
        self, doc: Document, sections: Sequence[SectionLike], meta: Meta, on_call: CallProgress | None = None
    ) -> tuple[Reading, RunInfo]:
        """All of one report's requests, concurrently; ``on_call(done, total)`` after each (for a progress bar)."""
        calls = plan_calls(doc, sections, meta)
        done = 0

        async def run(call: Call) -> CallResult:
            nonlocal done
            result = await self.run_call(call)
            done += 1
            if on_call is not None:
                on_call(done, len(calls))
            return result

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(run(call)) for call in calls]
        except* ModelError as errors:
            raise errors.exceptions[0] from None
        results = [t.result() for t in tasks]
        if results and all(r.failure and r.answer is None for r in results):
            raise ModelError(redact(
                f"every request to the model failed ({len(results)} section(s)): {results[0].failure}", self.settings
            ))
        return assemble(doc, sections, meta, results), self.run_info(results)

    def run_info(self, results: Sequence[CallResult]) -> RunInfo:
        s = self.settings
        return RunInfo(
            engines=["llm"],
            model=s.model,
            base_url=s.endpoint,
            prompt_version=s.prompt_version,
            requests=sum(r.requests for r in results),
            attempts=sum(r.attempts for r in results),
            cache_hits=sum(r.cache_hit for r in results),
            prompt_tokens=sum(r.prompt_tokens for r in results),
            completion_tokens=sum(r.completion_tokens for r in results),
            failures=[f"{r.call.name}: {r.failure}" for r in results if r.failure],
            extractor_version=__version__,
        )


# ------------------------------------------------------------------ public API
async def read_with_model_run(
    doc: Document,
    sections: Sequence[SectionLike],
    meta: Meta,
    settings: LlmSettings,
    cache: AnswerCache | None = None,
    engine: ModelEngine | None = None,
    on_call: CallProgress | None = None,
) -> tuple[Reading, RunInfo]:
    """Read one report with the model: its Reading and the RunInfo counters (requests, hits, tokens…).

    Pass ``engine`` to share a client, a cache and the concurrency limit across
    reports (the batch runner does); otherwise one is made and closed here.
    Raises ``ModelError`` when the endpoint is not configured or unusable.
    """
    if engine is not None:
        return await engine.read(doc, sections, meta, on_call)
    async with ModelEngine(settings, cache) as own:
        return await own.read(doc, sections, meta, on_call)


def read_with_model_sync(
    doc: Document,
    sections: Sequence[SectionLike],
    meta: Meta,
    settings: LlmSettings,
    cache: AnswerCache | None = None,
    on_call: CallProgress | None = None,
) -> tuple[Reading, RunInfo]:
    """``read_with_model_run`` for synchronous callers (the CLI); not for use inside a running loop."""
    return asyncio.run(read_with_model_run(doc, sections, meta, settings, cache, on_call=on_call))
