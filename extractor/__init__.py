"""Turn Chinese government information-disclosure annual reports into checked, comparable data.

The library face (``extractor.api``; the CLI calls the same functions)::

    from extractor import extract

    result = extract("report.pdf")         # a path, bytes, or text=...; engine="reader" | "llm" | "both"
    result.record                          # the canonical Record (pydantic): meta, tables 二/三/四, claims …
    result.findings                        # the rules of the template the numbers break

``load`` reads a report into a ``Document``; ``check`` runs the rules on a
record. See ``help(extractor.extract)`` and docs/python-api.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it; imported on first use, so `import extractor` stays cheap
# (worker processes and the CLI import submodules without paying for the whole library).
_EXPORTS = {
    "extract": "extractor.api",
    "load": "extractor.api",
    "check": "extractor.api",
    "extract_options": "extractor.api",
    "model_settings": "extractor.api",
    "Extraction": "extractor.readings",
    "Evidence": "extractor.readings",
    "Finding": "extractor.readings",
    "RunInfo": "extractor.readings",
    "Record": "extractor.record",
    "Document": "extractor.document",
    "ExtractOptions": "extractor.pipeline",
    "LlmSettings": "extractor.llm.config",
    "ExtractorError": "extractor.errors",
    "InputError": "extractor.errors",
    "ModelError": "extractor.errors",
}

__all__ = [
    "__version__",
    "extract", "load", "check", "extract_options", "model_settings",
    "Extraction", "Evidence", "Finding", "RunInfo", "Record", "Document", "ExtractOptions", "LlmSettings",
    "ExtractorError", "InputError", "ModelError",
]  # fmt: skip

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on demand
    from extractor.api import check, extract, extract_options, load, model_settings
    from extractor.document import Document
    from extractor.errors import ExtractorError, InputError, ModelError
    from extractor.llm.config import LlmSettings
    from extractor.pipeline import ExtractOptions
    from extractor.readings import Evidence, Extraction, Finding, RunInfo
    from extractor.record import Record


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'extractor' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
