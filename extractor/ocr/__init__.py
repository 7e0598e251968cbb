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
import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractor.ocr.cache import OcrCache, page_key
from extractor.ocr.engine import INSTALL_HINT, SETTINGS, available, require, scan_image
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


_render_lock = threading.Lock()  # pdfium is not thread-safe: one page is rendered at a time


def _scan_all(sources: Sequence[Callable[[], PageImage]]) -> list[PdfPage]:
    """Read every page: each is rendered, looked up in the cache by its pixels, else recognised.

    Pages run ``jobs`` at a time in threads; a page image lives only while its
    page is read, so a long scan needs the memory of ``jobs`` pages.
    """
    from extractor.ocr.pages import to_pdf_page

    settings = _settings.get() or OcrSettings()
    cache = OcrCache() if settings.cache else None
    total = len(sources)
    done = 0
    progress_lock = threading.Lock()
    if settings.on_page:
        settings.on_page(0, total)

    def work(source: Callable[[], PageImage]) -> PdfPage:
        nonlocal done
        with _render_lock:
            im = source()
        key = page_key(im.pixels.tobytes(), im.pixels.shape, f"{SETTINGS}|{im.scale}|{im.min_line}")
        scan = cache.get(key) if cache else None
        if scan is None:
            scan = scan_image(im.pixels, im.scale, im.min_line)
            if cache:
                cache.put(key, scan)
        page = to_pdf_page(im.page, scan)
        with progress_lock:
            done += 1
            if settings.on_page:
                settings.on_page(done, total)
        return page

    jobs = max(1, min(settings.jobs, total))
    if jobs == 1:
        return [work(s) for s in sources]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="ocr") as pool:
        return list(pool.map(work, sources))


def read_pdf_pages(data: bytes, name: str, indexes: Sequence[int]) -> list[PdfPage]:
    """OCR the pages ``indexes`` (0-based) of a PDF; refuses with the install line without the extra."""
    require(name)
    return _scan_all([functools.partial(render_pdf_page, data, i) for i in indexes])


def read_images(data: bytes, name: str) -> list[PdfPage]:
    """OCR every frame of an image file."""
    require(name, "is an image")
    frames = list(image_pages(data, name))
    return _scan_all([functools.partial(lambda im: im, frame) for frame in frames])
