"""OCR for scanned reports: page images to text lines and table grids (optional extra ``ocr``).

A PDF page without a text layer, or an image file (PNG, JPEG, TIFF, BMP), is
rendered (``render``), recognised and its ruling lines found (``engine``;
cached by the hash of the page's pixels in ``cache``), laid out into text
lines and table grids (``layout``) and written as one text (``compose``) the
way every loader writes tables: a row per line, cells separated by a tab.
Every OCR'd cell and line keeps its page box and the recogniser's confidence;
``confidence`` blanks low-confidence digits that break an identity.

Without ``rapidocr-onnxruntime`` installed, ``require`` refuses with the
one-line instruction (``pip install 'extractor[ocr]'``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from extractor.document import Span, Table, TableCell, TextLine
from extractor.normalize import source_to_text
from extractor.ocr.cache import OcrCache, page_key
from extractor.ocr.compose import Composed, OcrPage, compose
from extractor.ocr.engine import INSTALL_HINT, SETTINGS, available, require, scan_image
from extractor.ocr.layout import page_blocks
from extractor.ocr.models import PageScan
from extractor.ocr.render import PageImage, image_pages, pdf_page_count, render_pdf_page

__all__ = [
    "INSTALL_HINT",
    "OcrPage",
    "OcrSettings",
    "available",
    "compose",
    "ocr_settings",
    "read_images",
    "read_pdf_pages",
    "require",
    "to_grid",
]


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


def _scan_all(images: Sequence[PageImage]) -> list[OcrPage]:
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
    pages: list[OcrPage] = []
    for im, maybe in zip(images, scans, strict=True):
        assert maybe is not None
        blocks, height = page_blocks(maybe)
        pages.append(OcrPage(page=im.page, blocks=blocks, height=height))
    return pages


def read_pdf_pages(data: bytes, name: str, indexes: Sequence[int]) -> list[OcrPage]:
    """OCR the pages ``indexes`` (0-based) of a PDF; refuses with the install line without the extra."""
    require(name)
    images = [render_pdf_page(data, i) for i in indexes]  # pdfium is not thread-safe: render in this thread
    return _scan_all(images)


def read_images(data: bytes, name: str) -> list[OcrPage]:
    """OCR every frame of an image file."""
    require(name, "is an image")
    return _scan_all(list(image_pages(data, name)))


def to_grid(composed: Composed, text: str, offsets: list[int]) -> tuple[list[Table], list[TextLine], list[Span]]:
    """Tables, OCR'd lines and OCR'd ranges of ``composed`` as spans of the final text."""

    def span(a: int, b: int) -> Span:
        s = source_to_text(offsets, a)
        return Span(start=s, end=max(s, source_to_text(offsets, b)))

    tables: list[Table] = []
    for draft in composed.tables:
        rows = [
            [
                TableCell(
                    text=text[sp.start : sp.end], span=sp, row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan,
                    box=c.box, origin=f"ocr page {c.box.page}", confidence=c.confidence,
                )
                for c in row
                for sp in [span(c.start, c.end)]
            ]
            for row in draft.rows
        ]
        cells = [c for r in rows for c in r]
        if cells:
            whole = Span(start=min(c.span.start for c in cells), end=max(c.span.end for c in cells))
            tables.append(Table(rows=rows, span=whole, pages=draft.pages))
    lines = [TextLine(span=span(d.start, d.end), box=d.box, confidence=d.confidence) for d in composed.lines]
    ranges = [span(a, b) for a, b in composed.ocr_ranges]
    return tables, lines, ranges


def pdf_pages(data: bytes) -> int:
    return pdf_page_count(data)
