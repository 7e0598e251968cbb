"""The model engine: read a report with any OpenAI-compatible model, one focused request per section.

Public API (the pipeline and the batch runner call these):
``LlmSettings`` (config), ``AnswerCache`` (cache), ``ModelEngine``,
``read_with_model_run`` (async) / ``read_with_model_sync`` (engine).

Imported lazily: openai and instructor take a second to import, and every
CLI command (most of which never call a model) reads settings from here.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "AnswerCache": "extractor.llm.cache",
    "LlmSettings": "extractor.llm.config",
    "ModelEngine": "extractor.llm.engine",
    "read_with_model_run": "extractor.llm.engine",
    "read_with_model_sync": "extractor.llm.engine",
}
__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'extractor.llm' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
