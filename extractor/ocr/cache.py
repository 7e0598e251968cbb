"""OCR results on disk, one small JSON file per page image, keyed by the hash of its pixels.

A rerun of a batch renders each page again (cheap) but recognises nothing:
the page's hash finds its words and ruling lines. JSON, not pickle, so a
cache file is plain data that can be read and deleted safely.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from platformdirs import user_cache_dir
from pydantic import ValidationError

from extractor.atomic import atomic_write_text
from extractor.ocr.models import PageScan

CACHE_FORMAT = 1  # bump when the recogniser, its settings or PageScan change


def default_cache_dir() -> Path:
    """``EXTRACTOR_OCR_CACHE`` when set, else the user's cache directory."""
    env = os.environ.get("EXTRACTOR_OCR_CACHE")
    return Path(env) if env else Path(user_cache_dir("extractor", appauthor=False)) / "ocr"


def page_key(pixels: bytes, shape: tuple[int, ...], settings: str) -> str:
    """The identity of a page image for the cache: its pixels, its size and how it was read."""
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}|{settings}|{shape}|".encode())
    h.update(pixels)
    return h.hexdigest()


class OcrCache:
    """A directory of ``<key>.json`` files; unreadable entries are treated as missing."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> PageScan | None:
        try:
            return PageScan.model_validate_json(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, ValidationError):
            return None

    def put(self, key: str, scan: PageScan) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps(scan.model_dump(mode="json"), ensure_ascii=False))
        except OSError:
            pass  # a read-only or full cache costs speed, never the result
