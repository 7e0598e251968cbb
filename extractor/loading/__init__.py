"""Load any input file into one ``Document``: decoded, normalised, mapped back, tables kept as grids.

The format comes from the file extension (.txt .md/.markdown .html/.htm .docx
.pdf); one module per format:

* ``plain`` - txt/md: decoded (``decoding``: BOM, UTF-8, then a detector,
  GB18030 preferred for Chinese) and normalised; the line layout is kept.
* ``html`` - the visible text, one line per block; data tables one line per
  row, cells separated by a tab, and a grid in ``Document.tables``.
* ``docx`` - body paragraphs and tables in document order, tables as for HTML.
* ``pdf`` - each page's text in reading order (``pdf_tree``: pages one at a
  time; ``pdf_page``: lines and ruled tables; ``pdf_aligned``: tables without
  rules; ``pdf_across``: continued tables, running headers/footers;
  ``pdf_glyphs``: unmapped glyphs from pdfium); every line and cell keeps its
  page and box (``Document.boxes``). A page without a text layer is a scan:
  read by ``extractor.ocr`` (optional extra ``ocr``) into the same lines and
  grids, each with the recogniser's confidence.
* ``image`` - .png .jpg/.jpeg .tif/.tiff .bmp: scanned pages, read by OCR as above.

Everything a user can get wrong (missing, empty, binary, image, scanned,
encrypted, corrupt, unknown kind) raises ``InputError`` with one line saying
what is wrong and what to do. After each loader, ``normalize.normalize_mapped``
(NFKC etc.); HTML, DOCX and PDF text is also tidied: single spaces, none at
line or cell edges, no blank lines.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from extractor import limits
from extractor.document import Document, Format
from extractor.errors import InputError
from extractor.loading.base import Loaded
from extractor.loading.decoding import IMAGE_EXTENSIONS, OCR_HINT, decode_text, image_kind
from extractor.loading.html import html_to_text

EXTENSIONS: dict[str, Format] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".bmp": "image",
}
SUPPORTED = ", ".join(EXTENSIONS)


def load(path: str | Path) -> Document:
    """Read the report at ``path`` into a ``Document``."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file; check the path.")
    if p.is_dir():
        raise InputError(f"{p} is a directory; give one report file, or run a batch: extractor extract DIR --out OUT.")
    data = limits.read_input(p)  # regular files only, at most --max-size, read bounded
    doc = load_bytes(data, p.name)
    return doc.model_copy(update={"path": str(p)})


def load_bytes(data: bytes, name: str) -> Document:
    """Read a report given as bytes; ``name`` (a file name) decides the format."""
    suffix = Path(name).suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    if fmt is None:
        if suffix in IMAGE_EXTENSIONS or image_kind(data):
            raise InputError(
                f"{name} is an image of a kind OCR does not take; save it as PNG to read it with OCR "
                f"(supported: {SUPPORTED})."
            )
        kind = f"'{suffix}'" if suffix else "no extension"
        raise InputError(f"{name} has {kind}: unsupported kind of file; supported: {SUPPORTED}.")
    if not data.strip():
        raise InputError(f"{name} is empty; give a report with text in it.")
    image = image_kind(data)
    if image and fmt not in ("docx", "pdf", "image"):
        raise InputError(f"{name} is a {image} image, not text; {OCR_HINT}.")
    if fmt != "pdf" and data.startswith(b"%PDF-"):
        raise InputError(f"{name} is a PDF file; give it the .pdf extension.")
    if fmt in ("txt", "md", "html") and data.startswith(b"PK\x03\x04"):
        raise InputError(f"{name} is a ZIP package (a .docx?), not text; give a Word file the .docx extension.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{name} is an old binary Office file (.doc/.xls); save it as .docx (or PDF) and try again.")
    loaded = _load_format(fmt, data, name)
    if not loaded.text.strip():
        raise InputError(f"{name} has no text after decoding (only blanks or markup); give a report with text in it.")
    return Document(
        format=fmt,
        encoding=loaded.encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        source=loaded.source,
        text=loaded.text,
        offsets=loaded.offsets,
        tables=loaded.tables,
        boxes=loaded.boxes,
        pages=loaded.pages,
        problems=loaded.problems,
        ocr_pages=loaded.ocr_pages,
    )


_IMAGE_SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "TIFF": ".tif", "BMP": ".bmp"}


def name_for_bytes(data: bytes) -> str:
    """A file name whose extension is the format the bytes' signature shows, for bytes that come without one
    (the loaders choose the format by extension)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"%PDF-"):
        return "report.pdf"
    if data.startswith(b"PK\x03\x04"):
        return "report.docx"
    kind = image_kind(data)
    if kind in _IMAGE_SUFFIX:
        return "report" + _IMAGE_SUFFIX[kind]
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "report.html"
    return "report.txt"


def _load_format(fmt: Format, data: bytes, name: str) -> Loaded:
    if fmt in ("txt", "md"):
        from extractor.loading.plain import load_plain

        return load_plain(data, name)
    if fmt == "html":
        from extractor.loading.html import load_html

        source, encoding = decode_text(data, name, markup=True)
        return load_html(source, encoding)
    if fmt == "docx":
        from extractor.loading.docx import load_docx

        limits.check_docx(data, name)  # a DOCX whose XML inflates past the bound is refused before parsing
        return load_docx(data, name)
    if fmt == "image":
        from extractor.loading.pdf import load_image

        return load_image(data, name)
    from extractor.loading.pdf import load_pdf

    limits.check_pdf(data, name)  # so is a PDF whose streams inflate past it
    return load_pdf(data, name)


__all__ = ["EXTENSIONS", "SUPPORTED", "decode_text", "html_to_text", "load", "load_bytes", "name_for_bytes"]
