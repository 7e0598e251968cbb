"""A disk cache of validated model answers, stored as JSON text (never pickles).

diskcache pickles values by default and unpickles whatever it finds on read
(CVE-2025-69872: anyone who can write the directory runs code). ``_JsonOnlyDisk``
stores only ``str`` values and refuses to unpickle, and the directory is
created 0700. Keys are SHA-256 hex digests of everything that changes an
answer (``answer_key``) and never contain the API key.

A damaged ``cache.db`` (a crash on a bad disk, a file overwritten) is found
when the cache is opened (``PRAGMA quick_check``) or used: it is moved aside
(``cache.db.damaged-<time>``) with a one-line warning and a new, empty cache
is started, so answers are asked again rather than every report failing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import diskcache
from diskcache.core import MODE_PICKLE
from platformdirs import user_cache_dir
from pydantic import BaseModel, Field

CACHE_FORMAT = 1  # bump to invalidate every stored answer
_log = logging.getLogger(__name__)
_T = TypeVar("_T")


def default_cache_dir() -> Path:
    return Path(user_cache_dir("extractor", appauthor=False)) / "llm"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answer_key(
    *,
    endpoint: str,
    model: str,
    mode: str,
    prompt_version: str,
    prompt_sha: str,
    task: str,
    schema: dict[str, Any],
    generation: dict[str, Any],
    variables: dict[str, Any],
) -> str:
    """The cache key of one request: endpoint, model, mode, prompt, schema, parameters and input text.

    ``variables`` are the template variables (the section text among them); the
    key is hashed from them, never from credentials.
    """
    payload = {
        "v": CACHE_FORMAT,
        "endpoint": endpoint,
        "model": model,
        "mode": mode,
        "prompt_version": prompt_version,
        "prompt_sha": prompt_sha,
        "task": task,
        "schema": sha256_text(canonical_json(schema)),
        "generation": generation,
        "input": sha256_text(canonical_json(variables)),
    }
    return sha256_text(canonical_json(payload))


class CachedAnswer(BaseModel):
    """What is stored per key: the validated answer and what it cost to get it."""

    answer: dict[str, Any] | None  # None: a final failure with nothing readable
    failure: str | None = None  # a section's final failure is cached too (rerun with --retry-failed to ask again)
    rejected: str | None = None  # why the answer was not used at all (the all-zero skeleton)
    warnings: list[str] = Field(default_factory=list)  # what the kept answer lacks (rows left out)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1
    model: str = ""
    prompt_version: str = ""
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class _JsonOnlyDisk(diskcache.Disk):
    """A diskcache Disk that stores text only and will not unpickle what it reads."""

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if not isinstance(value, str):
            raise TypeError("the answer cache stores JSON text only")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == MODE_PICKLE:
            raise ValueError("refusing to unpickle a cache entry (the cache holds JSON text only)")
        return super().fetch(mode, filename, value, read)


def _make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)  # mkdir's mode is masked by umask and ignored for an existing dir


class CacheStats(BaseModel):
    directory: str
    entries: int
    size_bytes: int
    by_prompt_version: dict[str, int]


class AnswerCache:
    """Validated answers by request key. ``enabled=False`` stores and finds nothing; ``refresh`` only writes."""

    def __init__(self, directory: Path | None = None, *, enabled: bool = True, refresh: bool = False) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.enabled = enabled
        self.refresh = refresh
        self._cache: diskcache.Cache | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> AnswerCache:
        return cls(settings.cache_dir, enabled=settings.use_cache, refresh=settings.refresh)

    def _open(self) -> diskcache.Cache:
        # Opened once per process and reused: concurrent creation of the sqlite file can lock.
        if self._cache is None:
            _make_private_dir(self.directory)
            try:
                self._cache = self._open_checked()
            except sqlite3.DatabaseError as exc:
                self._move_aside(exc)
                self._cache = self._open_checked()
        return self._cache

    def _open_checked(self) -> diskcache.Cache:
        cache = diskcache.Cache(str(self.directory), disk=_JsonOnlyDisk, tag_index=True)
        try:
            problems = [r[0] for r in cache._sql("PRAGMA quick_check(1)").fetchall() if r[0] != "ok"]
        except sqlite3.DatabaseError:
            cache.close()
            raise
        if problems:
            cache.close()
            raise sqlite3.DatabaseError(problems[0])
        return cache

    def _move_aside(self, exc: BaseException) -> None:
        """Put a damaged cache.db (and its journal files) aside, say so in one line; the caller starts afresh."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        db = self.directory / "cache.db"
        for suffix in ("", "-wal", "-shm"):
            part = db.with_name(db.name + suffix)
            if part.exists():
                os.replace(part, part.with_name(f"cache.db.damaged-{stamp}{suffix}"))
        _log.warning(
            "warning: the answer cache %s was damaged (%s); moved it aside as cache.db.damaged-%s and started "
            "an empty one (answers will be asked again)", db, str(exc).splitlines()[0] if str(exc) else "", stamp,
        )

    def _recovering(self, action: Callable[[diskcache.Cache], _T]) -> _T:
        """Run ``action(cache)``; if the cache turns out damaged, move it aside and run it once more."""
        try:
            return action(self._open())
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            self._move_aside(exc)
            return action(self._open())

    def get(self, key: str) -> CachedAnswer | None:
        if not self.enabled or self.refresh:
            return None
        try:
            raw = self._recovering(lambda c: c.get(key, default=None, retry=True))
        except ValueError:
            return None  # a pickled entry someone else wrote: never unpickled, asked again
        if raw is None:
            return None
        try:
            return CachedAnswer.model_validate_json(raw)
        except ValueError:
            return None  # an entry from an older format: ask again

    def put(self, key: str, entry: CachedAnswer) -> None:
        if not self.enabled:
            return
        self._recovering(lambda c: c.set(key, entry.model_dump_json(), tag=entry.prompt_version or None, retry=True))

    def stats(self) -> CacheStats:
        return self._recovering(self._stats)

    def _stats(self, cache: diskcache.Cache) -> CacheStats:
        versions: dict[str, int] = {}
        for key in cache.iterkeys():
            try:
                raw = cache.get(key, retry=True)
                version = CachedAnswer.model_validate_json(raw).prompt_version if raw else ""
            except ValueError:
                version = "?"
            versions[version] = versions.get(version, 0) + 1
        return CacheStats(
            directory=str(self.directory), entries=len(cache), size_bytes=cache.volume(), by_prompt_version=versions
        )

    def clear(self, prompt_version: str | None = None) -> int:
        """Remove every entry (or those of one prompt version); returns how many went."""
        if prompt_version is None:
            return int(self._recovering(lambda c: c.clear(retry=True)))
        return int(self._recovering(lambda c: c.evict(prompt_version, retry=True)))

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
