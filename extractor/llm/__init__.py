"""The model engine: read a report with any OpenAI-compatible model, one focused request per section.

Public API (the pipeline and the batch runner call these):
``LlmSettings`` (config), ``AnswerCache`` (cache), ``ModelEngine``,
``read_with_model`` / ``read_with_model_run`` / ``read_with_model_sync`` (engine).
"""

from extractor.llm.cache import AnswerCache
from extractor.llm.config import LlmSettings
from extractor.llm.engine import ModelEngine, read_with_model, read_with_model_run, read_with_model_sync

__all__ = ["AnswerCache", "LlmSettings", "ModelEngine", "read_with_model", "read_with_model_run", "read_with_model_sync"]
