"""The library face: a report in (a path, bytes or text), a typed, checked record out.

The command line is a thin layer over these functions (``extractor extract``
calls ``extract_options`` and ``extract``), so a script or notebook gets the
same records, with the same engines and model settings, as the CLI::

    from extractor import extract

    result = extract("examples/huaian-hongze-2023.txt")  # the reader engine: no model needed
    result.record.meta.year                                # 2023
    result.record.applications["new_received"].total       # a cell of table 三 (None = blank, never 0)
    result.findings                                        # the rules of the template the numbers break

Errors a caller can act on are ``ExtractorError`` subclasses (``InputError``
for a file that cannot be read as a report, ``ModelError`` for a model
endpoint that is missing or refuses), each with a one-line message.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from extractor.document import Document
from extractor.errors import InputError, ModelError
from extractor.llm.config import LlmSettings, ModeName
from extractor.pipeline import ExtractOptions, extract_document
from extractor.readings import Extraction, Finding
from extractor.record import Record

Engine = Literal["reader", "llm", "both"]
Source = str | os.PathLike[str] | bytes | Document

__all__ = ["Engine", "Source", "check", "extract", "extract_options", "load", "model_settings"]


def load(source: Source | None = None, *, text: str | None = None, name: str | None = None) -> Document:
    """Read a report into a ``Document`` (decoded, normalised, every character mapped back to the input).

    ``source`` is a path (``str`` or ``Path``), the file's bytes, or a
    ``Document`` (returned as is); give report text as ``text=`` instead.
    ``name`` is a file name whose extension says the format of bytes or text
    (``.txt .md .html .htm .docx .pdf``); without it, bytes are recognised by
    their signature (PDF, DOCX, HTML, else plain text) and text is plain text.
    Raises ``InputError`` when the input cannot be read as a report.
    """
    from extractor.loading import load as load_path
    from extractor.loading import load_bytes, name_for_bytes

    if text is not None and source is None:
        return load_bytes(text.encode("utf-8"), name or "report.txt")
    if source is None or text is not None:
        raise InputError("give exactly one of: a path or bytes (source), or the report's text (text=...).")
    if isinstance(source, Document):
        return source
    if isinstance(source, bytes | bytearray):
        return load_bytes(bytes(source), name or name_for_bytes(bytes(source)))
    if isinstance(source, str) and ("\n" in source or len(source) > 4096):
        raise InputError("that looks like the report's text, not a path: pass it as text=..., e.g. extract(text=s).")
    return load_path(Path(source))


def model_settings(
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: ModeName | None = None,
    prompt: str | None = None,
    concurrency: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool | None = None,
    refresh: bool | None = None,
    fallback_reader: bool | None = None,
) -> LlmSettings:
    """Model settings from the environment (``EXTRACTOR_MODEL``, ``EXTRACTOR_BASE_URL``, ``EXTRACTOR_API_KEY``
    or ``OPENAI_API_KEY``), overridden by every argument that is not None (the CLI's ``--model`` … options)."""
    return LlmSettings.from_env(
        model=model,
        base_url=base_url,
        api_key=api_key,
        mode=mode,
        prompt_version=prompt,
        concurrency=concurrency,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
        use_cache=use_cache,
        refresh=refresh,
        fallback_reader=fallback_reader,
    )


def extract_options(
    engine: Engine | None = None, settings: LlmSettings | None = None, *, check: bool = True
) -> ExtractOptions:
    """What ``extract`` runs, chosen as the CLI chooses it.

    ``engine=None`` means both engines, reconciled, when a model is configured
    (see ``model_settings``), else the reader alone. Asking for a model that
    is not configured raises ``ModelError`` (unless ``fallback_reader`` is set).
    """
    settings = settings or LlmSettings.from_env()
    if engine is None:
        engine = "both" if settings.is_configured else "reader"
    if engine != "reader" and not settings.fallback_reader and settings.missing():
        raise ModelError(settings.missing() or "")
    options = ExtractOptions.for_engine(engine, settings)
    return options if check else options.model_copy(update={"check": False})


def extract(
    source: Source | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    engine: Engine | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: ModeName | None = None,
    prompt: str | None = None,
    settings: LlmSettings | None = None,
    options: ExtractOptions | None = None,
    check: bool = True,
    on_model_call: Callable[[int, int], None] | None = None,
) -> Extraction:
    """Extract the canonical record of one report: what ``extractor extract FILE`` prints, as objects.

    Input (as ``load``): ``source`` is a path, the file's bytes or a loaded
    ``Document``; or ``text=`` the report's text. ``name`` gives the format
    of bytes or text by its extension.

    Engine and model (as the CLI's options): ``engine`` is ``"reader"`` (no
    model), ``"llm"`` or ``"both"`` (reconciled value by value); None means
    both when a model is configured, else the reader. ``model``,
    ``base_url``, ``api_key``, ``mode`` and ``prompt`` override the
    ``EXTRACTOR_*`` environment; ``settings`` (an ``LlmSettings``, see
    ``model_settings``) gives every model setting at once; ``options`` (from
    ``extract_options``) overrides all of these. ``check=False`` skips the
    rules. ``on_model_call(done, total)`` follows the model's requests.

    Returns an ``Extraction``: ``.record`` (the canonical ``Record``; a blank
    cell is None, never 0), ``.evidence`` (dotted key -> the span of the text
    each value was read from), ``.findings`` (the rules the numbers break),
    ``.problems`` (what could not be read, and why) and ``.run`` (engines,
    model, prompt version, input hash). ``.to_json_dict()`` is the CLI's JSON.

    Raises ``InputError`` for input that cannot be read as a report and
    ``ModelError`` when a model is asked for but missing or unusable.
    """
    if options is None:
        if settings is None:
            settings = model_settings(model=model, base_url=base_url, api_key=api_key, mode=mode, prompt=prompt)
        options = extract_options(engine, settings, check=check)
    return extract_document(load(source, text=text, name=name), options, on_model_call)


def check(
    result: Extraction | Record,
    document: Document | None = None,
    *,
    text: str | None = None,
    include_not_checkable: bool = False,
) -> list[Finding]:
    """The rules of the template on a record: table identities, sums and rates in prose, prose vs table, grounding.

    ``result`` is an ``Extraction`` (its evidence locates each finding) or a
    bare ``Record`` (a gold file, a record edited by hand). The prose,
    grounding and empty-table rules need the report: its ``Document`` (from
    ``load``) or its normalised ``text``; without either they are not
    checked. Returns the rules that fail, plus with
    ``include_not_checkable=True`` those whose inputs are blank.
    """
    from extractor.checks import check as run_checks

    record, evidence = (result.record, result.evidence) if isinstance(result, Extraction) else (result, None)
    if document is not None:
        text = document.text
    return run_checks(record, text, evidence, include_not_checkable=include_not_checkable)
