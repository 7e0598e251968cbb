"""Plain text and Markdown: decoded and normalised; nothing else changes (the line layout is kept)."""

from __future__ import annotations

from extractor.loading.base import Loaded
from extractor.loading.decoding import decode_text
from extractor.normalize import normalize_mapped


def load_plain(data: bytes, name: str) -> Loaded:
    source, encoding = decode_text(data, name)
    text, offsets = normalize_mapped(source)
    return Loaded(source=source, text=text, offsets=offsets, encoding=encoding)
