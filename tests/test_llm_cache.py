"""The answer cache: JSON text only, private directory, keys from everything that changes an answer."""

from __future__ import annotations

import os

import diskcache
import pytest

from extractor.llm.cache import AnswerCache, CachedAnswer, answer_key

BASE = dict(
    endpoint="http://localhost:11434/v1", model="qwen2.5:7b", mode="json_schema", prompt_version="v2",
    prompt_sha="abc", task="applications", schema={"title": "ApplicationsAnswer"},
    generation={"temperature": 0.0, "max_tokens": 4096}, variables={"source": "一、本年新收4000004"},
)


def test_same_request_same_key_and_every_part_changes_it():
    key = answer_key(**BASE)
    assert key == answer_key(**BASE) and len(key) == 64
    changes = {
        "endpoint": "http://localhost:8000/v1", "model": "qwen3:8b", "mode": "tools", "prompt_version": "v1",
        "prompt_sha": "abd", "task": "claims", "schema": {"title": "Other"}, "generation": {"temperature": 0.2},
        "variables": {"source": "一、本年新收4000005"},
    }
    keys = {answer_key(**{**BASE, name: value}) for name, value in changes.items()}
    assert key not in keys and len(keys) == len(changes)


def test_entries_are_json_text_in_a_private_directory(tmp_path):
    cache = AnswerCache(tmp_path / "c")
    entry = CachedAnswer(answer={"rows": [], "note": "中文"}, prompt_tokens=3, prompt_version="v2")
    cache.put("k", entry)
    assert cache.get("k") == entry
    assert oct((tmp_path / "c").stat().st_mode & 0o777) == "0o700"
    raw = diskcache.Cache(str(tmp_path / "c")).get("k")
    assert isinstance(raw, str) and '"中文"' in raw  # stored as JSON text, not a pickle


class _Boom:
    ran: list[str] = []

    def __reduce__(self):
        return (_Boom.ran.append, ("unpickled!",))


def test_a_pickled_entry_is_never_unpickled(tmp_path):
    plain = diskcache.Cache(str(tmp_path))
    plain.set("evil", _Boom())  # what an attacker with write access could plant
    plain.close()
    cache = AnswerCache(tmp_path)
    assert cache.get("evil") is None
    assert _Boom.ran == []
    with pytest.raises(TypeError):
        cache._open().set("x", {"not": "text"})


def test_disabled_refresh_stats_and_clear(tmp_path):
    off = AnswerCache(tmp_path / "off", enabled=False)
    off.put("k", CachedAnswer(answer={}))
    assert off.get("k") is None and not (tmp_path / "off").exists()
    cache = AnswerCache(tmp_path / "c")
    for i, version in enumerate(["v1", "v1", "v2"]):
        cache.put(f"k{i}", CachedAnswer(answer={"i": i}, prompt_version=version))
    refresh = AnswerCache(tmp_path / "c", refresh=True)
    assert refresh.get("k0") is None  # --refresh does not read…
    refresh.put("k0", CachedAnswer(answer={"i": 10}, prompt_version="v1"))
    assert cache.get("k0").answer == {"i": 10}  # …but writes
    stats = cache.stats()
    assert stats.entries == 3 and stats.by_prompt_version == {"v1": 2, "v2": 1} and stats.size_bytes > 0
    assert cache.clear("v1") == 2 and cache.stats().by_prompt_version == {"v2": 1}
    assert cache.clear() == 1 and cache.stats().entries == 0


def test_default_directory_is_the_user_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = AnswerCache()
    assert str(cache.directory).startswith(str(tmp_path)) and cache.directory.name == "llm"
    cache.put("k", CachedAnswer(answer={}))
    assert os.stat(cache.directory).st_mode & 0o077 == 0
