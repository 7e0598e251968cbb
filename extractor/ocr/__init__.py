"""OCR for scanned reports: page images to text lines and table grids (optional extra ``ocr``).

A PDF page without a text layer, or an image file (PNG, JPEG, TIFF, BMP), is
rendered (``render``), recognised and its ruling lines found (``engine``;
cached by the hash of the page's pixels in ``cache``), laid out into text
lines and table grids (``layout``) and handed to the PDF loader as its own
kind of page (``pages``), so scanned and printed pages are written alike: a
table row per line, cells separated by a tab, every line and cell with its
page box, and here also the recogniser's confidence. ``confidence`` blanks
low-confidence digits that break an identity and measures the OCR'd share.

Without ``rapidocr-onnxruntime`` installed, ``require`` refuses with the
one-line instruction (``pip install 'extractor[ocr]'``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractor.ocr.cache import OcrCache, page_key
from extractor.ocr.engine import INSTALL_HINT, SETTINGS, available, require, scan_image
from extractor.ocr.models import PageScan
from extractor.ocr.render import PageImage, image_pages, render_pdf_page

if TYPE_CHECKING:
    from extractor.loading.pdf_page import PdfPage

__all__ = ["INSTALL_HINT", "OcrSettings", "available", "ocr_settings", "read_images", "read_pdf_pages", "require"]


@dataclass(frozen=True)
class OcrSettings:
    """How OCR runs: pages in parallel (``jobs`` threads), a callback per finished page, the cache."""

    jobs: int = 1
    on_page: Callable[[int, int], None] | None = None  # (pages done, pages to read)
    cache: bool = True


_settings: contextvars.ContextVar[OcrSettings | None] = contextvars.ContextVar("ocr_settings", default=None)


@contextmanager
def ocr_settings(settings: OcrSettings) -> Iterator[None]:
    """Use ``settings`` for every OCR run inside the block (the CLI sets --jobs and a progress bar)."""
    token = _settings.set(settings)
    try:
        yield
    finally:
        _settings.reset(token)


def _scan_all(images: Sequence[PageImage]) -> list[PdfPage]:
    """Scan every page image (cached ones from the cache, the rest in parallel threads)."""
    settings = _settings.get() or OcrSettings()
    cache = OcrCache() if settings.cache else None
    keys = [page_key(im.pixels.tobytes(), im.pixels.shape, f"{SETTINGS}|{im.scale}|{im.min_line}") for im in images]
    scans: list[PageScan | None] = [cache.get(k) if cache else None for k in keys]
    todo = [i for i, s in enumerate(scans) if s is None]
    done = len(images) - len(todo)
    if settings.on_page:
        settings.on_page(done, len(images))

    def work(i: int) -> tuple[int, PageScan]:
        return i, scan_image(images[i].pixels, images[i].scale, images[i].min_line)

    jobs = max(1, min(settings.jobs, len(todo)))
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="ocr") as pool:
        for i, scan in pool.map(work, todo) if jobs > 1 else map(work, todo):
            scans[i] = scan
            if cache:
                cache.put(keys[i], scan)
            done += 1
            if settings.on_page:
                settings.on_page(done, len(images))
    from extractor.ocr.pages import to_pdf_page

    pages: list[PdfPage] = []
    for im, maybe in zip(images, scans, strict=True):
        assert maybe is not None
        pages.append(to_pdf_page(im.page, maybe))
    return pages


def read_pdf_pages(data: bytes, name: str, indexes: Sequence[int]) -> list[PdfPage]:
    """OCR the pages ``indexes`` (0-based) of a PDF; refuses with the install line without the extra."""
    require(name)
    images = [render_pdf_page(data, i) for i in indexes]  # pdfium is not thread-safe: render in this thread
    return _scan_all(images)


def read_images(data: bytes, name: str) -> list[PdfPage]:
    """OCR every frame of an image file."""
    require(name, "is an image")
    return _scan_all(list(image_pages(data, name)))
