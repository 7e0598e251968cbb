"""Page images for the recogniser: PDF pages rendered with pypdfium2, image files decoded.

PP-OCR's recogniser reads text lines scaled to 48 pixels high; body text of
a report (10.5-12 pt) rendered at 2x (144 dpi) is 20-30 pixels high, which
it reads best without paying for larger images. Scanned images are used at
their own resolution, enlarged only when they are small.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from extractor.errors import InputError

PDF_SCALE = 2.0  # pixels per PDF point (144 dpi)
MIN_IMAGE_SIDE = 1400  # a smaller image (a table pasted into a web page) is enlarged to about this
LINE_POINTS = 15.0  # ruling lines are at least this long (pt); glyph strokes are shorter


@dataclass
class PageImage:
    """One page as the recogniser sees it: BGR pixels and pixels per page unit."""

    page: int  # 1-based
    pixels: Any  # numpy array, H x W x 3, BGR
    scale: float
    min_line: int  # the shortest ruling line, in pixels: longer than any glyph stroke


def pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def render_pdf_page(data: bytes, index: int, scale: float = PDF_SCALE) -> PageImage:
    """Page ``index`` (0-based) of a PDF as a BGR image at ``scale`` pixels per point."""
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        bitmap = doc[index].render(scale=scale, grayscale=False)
        rgb = np.asarray(bitmap.to_pil().convert("RGB"))
    finally:
        doc.close()
    pixels = np.ascontiguousarray(rgb[:, :, ::-1])
    return PageImage(page=index + 1, pixels=pixels, scale=scale, min_line=max(20, round(LINE_POINTS * scale)))


def image_pages(data: bytes, name: str) -> Iterator[PageImage]:
    """The frames of an image file (a multi-page TIFF has several), enlarged when small.

    Page coordinates of an image are its own pixels (``scale`` = the enlargement).
    """
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        reason = type(exc).__name__
        raise InputError(f"{name} is not a readable image ({reason}); re-save it as PNG and try again.") from None
    for i, frame in enumerate(frames):
        scale = 1.0
        if max(frame.size) < MIN_IMAGE_SIDE:
            scale = MIN_IMAGE_SIDE / max(frame.size)
            frame = frame.resize((round(frame.width * scale), round(frame.height * scale)), Image.Resampling.LANCZOS)
        pixels = np.ascontiguousarray(np.asarray(frame)[:, :, ::-1])
        # the resolution of a scan is unknown: a rule is at least 1/40 of the shorter side (15 pt of A4)
        yield PageImage(page=i + 1, pixels=pixels, scale=scale, min_line=max(20, min(pixels.shape[:2]) // 40))
