"""PDF: each page's text in reading order, with its tables as grids and every line's box.

Pages are read one at a time (``pdf_tree``, ``pdf_page``) and released
(``page.close()``), so a 300-page file needs the memory of one page plus the
text. A page that cannot be read is skipped with a note in
``Document.problems``; a file where no page has a text layer is a scan and is
refused with the OCR hint.

The text view: each line of prose on its own line; each table row on its own
line, cells separated by a tab (a cell covered by a row span from above is
absent). A table continued on the next page (it ends its page, the next part
starts the next one, and both parts agree on their column rules) is one
table: its rows run on, and the page footer/header between them is gone.
Running headers/footers (the same line in the margin of most pages) are
dropped. ``Document.source`` is this raw text before normalisation;
``Document.boxes`` says where each of its lines and cells is printed.
"""

from __future__ import annotations

import io
from typing import Any

from extractor.document import SourceBox
from extractor.errors import InputError
from extractor.loading.base import Loaded, RawCell, RawTable, finish
from extractor.loading.decoding import OCR_HINT
from extractor.loading.pdf_across import drop_running_lines, join_continued
from extractor.loading.pdf_page import PdfLine, PdfPage, PdfTable, read_page

_IMAGE_ONLY = "only an image (scanned?)"
_OCR_PAGE_HINT = "reading it needs OCR (pip install 'extractor[ocr]')"


def load_pdf(data: bytes, name: str) -> Loaded:
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{name} is not a PDF file (no %PDF header); check the file or its extension.")
    pages, count, problems = _read_pages(data, name)
    scanned = [p.number for p in pages if not p.blocks]
    ocr_pages: list[int] = []
    if scanned:
        from extractor import ocr

        if ocr.available():  # pages without a text layer are scans: read them by OCR
            read = {p.number: p for p in ocr.read_pdf_pages(data, name, [n - 1 for n in scanned])}
            pages = [read.get(p.number, p) for p in pages]
            ocr_pages = [n for n in scanned if read[n].blocks]
            problems = [_after_ocr(note, ocr_pages) for note in problems]
            problems = [note for note in problems if note]
        elif pages and not any(p.blocks for p in pages):
            ocr.require(name)
    if not any(p.blocks for p in pages):
        if not pages:  # no page at all, or none that could be read
            raise InputError(
                f"{name} is not a readable PDF (no page could be read); open it in a PDF viewer and re-save or print "
                "it to a new PDF."
            )
        if scanned:
            raise InputError(
                f"{name} has no text layer, and OCR found no text on its pages; check that it is the report."
            )
        raise InputError(f"{name} has no text layer (scanned images?); {OCR_HINT}.")
    return _assemble(pages, count, problems, ocr_pages)


def _after_ocr(note: str, ocr_pages: list[int]) -> str:
    """A loader note about an image-only page, once OCR has been run on it (empty: the page was read)."""
    for n in ocr_pages:
        if note.startswith(f"PDF page {n} has no text layer"):
            return ""
    if _IMAGE_ONLY in note:
        return note.split(":")[0] + ", and OCR found no text on it"
    return note


def load_image(data: bytes, name: str) -> Loaded:
    """An image file (a scanned page; a multi-page TIFF has several): every frame read by OCR."""
    from extractor import ocr

    pages = ocr.read_images(data, name)
    if not any(p.blocks for p in pages):
        raise InputError(
            f"{name} is an image in which OCR found no text; check that it is the report (a clearer scan helps)."
        )
    return _assemble(pages, len(pages), [], [p.number for p in pages if p.blocks])


def _assemble(pages: list[PdfPage], count: int, problems: list[str], ocr_pages: list[int]) -> Loaded:
    source, tables, boxes = _render(join_continued(drop_running_lines(pages)))
    text, offsets, grids = finish(source, tables)
    return Loaded(
        source=source, text=text, offsets=offsets, tables=grids, boxes=boxes, pages=count, problems=problems,
        ocr_pages=ocr_pages,
    )


def _unreadable(name: str, exc: BaseException) -> InputError:
    names = " ".join(type(e).__name__ for e in (exc, *exc.args) if isinstance(e, BaseException))
    reason = "it is password-protected" if "password" in f"{names} {exc}".lower() else names
    return InputError(
        f"{name} is not a readable PDF ({reason}); open it in a PDF viewer and re-save or print it to a new PDF."
    )


def _read_pages(data: bytes, name: str) -> tuple[list[PdfPage], int, list[str]]:
    """Every page's blocks, the number of pages, and notes on pages that had to be skipped.

    Pages are built one at a time from the page tree (``pdf_tree``) and closed
    when read, so memory stays that of one page plus the text.
    """
    import pdfplumber

    from extractor.loading import pdf_tree
    from extractor.loading.pdf_glyphs import Glyphs

    pages: list[PdfPage] = []
    problems: list[str] = []
    stream = io.BytesIO(data)
    try:
        pdf = pdfplumber.open(stream)
        tree = pdf_tree.pages(pdf)
        first = next(tree, None)
        if first is None:  # no page tree: pdfminer's own search for page objects
            found = list(pdf.pages)
            tree, first = iter(found[1:]), (found[0] if found else None)
    except Exception as exc:  # pdfminer raises many unrelated types for damaged/encrypted files
        raise _unreadable(name, exc) from None
    glyphs = Glyphs(data)
    number = 0
    try:
        page = first
        while page is not None:
            number += 1
            try:
                if isinstance(page, Exception):
                    raise page
                pages.append(read_page(page, number, glyphs.fix(page, number)))
                if not pages[-1].blocks and page.images:
                    problems.append(f"PDF page {number} has no text layer, {_IMAGE_ONLY}: {_OCR_PAGE_HINT}")
            except Exception as exc:  # a damaged page: skip it, read the rest
                problems.append(f"PDF page {number} could not be read ({type(exc).__name__}); it was skipped")
            finally:
                if not isinstance(page, Exception):
                    page.close()
            try:
                page = next(tree, None)
            except Exception as exc:  # the page tree itself is broken here: what was read is kept
                problems.append(f"PDF pages after page {number} could not be found ({type(exc).__name__})")
                break
    finally:
        glyphs.close()
        pdf.flush_cache()  # not pdf.close(): it would build every page again to close it
        stream.close()
    if glyphs.used:
        problems.append(
            f"PDF fonts without a character map on page(s) {', '.join(map(str, glyphs.used))}: text taken from pdfium"
        )
    return pages, number, problems


def _render(pages: list[PdfPage]) -> tuple[str, list[RawTable], list[SourceBox]]:
    """The raw text of the pages, the tables as source ranges, and where each line/cell is printed."""
    out: list[str] = []
    pos = 0
    boxes: list[SourceBox] = []
    tables: list[RawTable] = []

    def write(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += len(s)

    written: set[int] = set()
    for page in pages:
        for block in page.blocks:
            if isinstance(block, PdfLine):
                start = pos
                write(block.text.replace("\t", " "))
                boxes.append(SourceBox(start=start, end=pos, box=block.box, confidence=block.confidence))
                write("\n")
                continue
            if id(block) not in written:  # a continued table is written once, with its first part
                written.add(id(block))
                tables.append(_render_table(block, write, lambda: pos, boxes))
    return "".join(out), tables, boxes


def _render_table(table: PdfTable, write: Any, position: Any, boxes: list[SourceBox]) -> RawTable:
    rows: list[list[RawCell]] = []
    for r in range(table.nrows):
        cells = table.row_cells(r)
        if not cells:
            continue
        row: list[RawCell] = []
        for k, cell in enumerate(cells):
            if k:
                write("\t")
            start = position()
            write(cell.text)
            end = position()
            origin = f"{'ocr' if cell.confidence is not None else 'pdf'} page {cell.box.page}"
            row.append(
                RawCell(
                    start, end, cell.colspan, cell.rowspan, cell.row, cell.col, origin, cell.box, cell.confidence
                )
            )
            boxes.append(SourceBox(start=start, end=end, box=cell.box, confidence=cell.confidence))
        write("\n")
        rows.append(row)
    return RawTable(rows, pages=list(table.pages))
