"""DOCX: body paragraphs and tables in document order (python-docx).

Tables come out one row per line, cells separated by a tab; a vertically
merged cell appears once, in its first row, with its ``rowspan``; a cell
spanning grid columns has its ``colspan``. Every cell carries its grid
position and ``origin`` ("docx table T row R cell C", 1-based as Word counts).
``Document.source`` is the raw text before normalisation.
"""

from __future__ import annotations

import io

from extractor.errors import InputError
from extractor.loading.base import Loaded, RawCell, RawTable, finish


def load_docx(data: bytes, name: str) -> Loaded:
    source, tables = docx_text(data, name)
    text, offsets, grids = finish(source, tables)
    return Loaded(source=source, text=text, offsets=offsets, tables=grids)


def docx_text(data: bytes, name: str) -> tuple[str, list[RawTable]]:
    """Paragraphs and tables of the body in document order, as one raw text.

    Tables come out one row per line, cells separated by a tab; a vertically
    merged cell appears once, in its first row, with its ``rowspan``.
    """
    import docx
    from docx.oxml.ns import qn

    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # lxml/python-docx raise many kinds on damaged packages
        raise InputError(
            f"{name} is not a readable DOCX file ({type(exc).__name__}); re-save it from Word as .docx."
        ) from None

    # Text boxes are stored twice (DrawingML and a VML fallback): read only the first copy.
    fallbacks = list(body.iter("{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"))
    for fallback in fallbacks:
        fallback.getparent().remove(fallback)
    P, TBL, SDT, SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
    T, TAB, BR, CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
    TR, TC, TC_PR = qn("w:tr"), qn("w:tc"), qn("w:tcPr")
    GRID_SPAN, V_MERGE, VAL = qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
    out: list[str] = []
    pos = 0
    tables: list[RawTable] = []

    def write(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += len(s)

    def para_text(p, line_breaks: bool) -> str:
        parts = []
        for el in p.iter(T, TAB, BR, CR):
            if el.tag == T:
                parts.append(el.text or "")
            elif el.tag == TAB:
                parts.append(" ")  # tabs separate table cells in our text; a paragraph's tab is a space
            else:
                parts.append("\n" if line_breaks else " ")
        return "".join(parts)

    def new_line() -> None:
        if out and not out[-1].endswith("\n"):
            write("\n")

    def table(tbl) -> None:
        rows: list[list[RawCell]] = []
        open_cells: dict[int, list] = {}  # grid column -> [row index, cell index] of a vertical merge
        for tr_index, tr in enumerate(tbl.iterchildren(TR)):
            new_line()
            row: list[RawCell] = []
            col = 0
            for tc_index, tc in enumerate(tr.iterchildren(TC)):
                pr = tc.find(TC_PR)
                span = 1
                merge = None
                if pr is not None:
                    gs = pr.find(GRID_SPAN)
                    if gs is not None and (gs.get(VAL) or "").isdigit():
                        span = max(1, int(gs.get(VAL)))
                    vm = pr.find(V_MERGE)
                    if vm is not None:
                        merge = vm.get(VAL) or "continue"
                if merge == "continue" and col in open_cells:
                    r, c = open_cells[col]
                    rows[r][c].rowspan += 1
                    col += span
                    continue
                if row:
                    write("\t")
                text = " ".join(t for t in (para_text(p, False).strip() for p in tc.iter(P)) if t)
                start = pos
                write(text.replace("\t", " ").replace("\n", " "))
                origin = f"docx table {len(tables) + 1} row {tr_index + 1} cell {tc_index + 1}"
                row.append(RawCell(start, pos, colspan=span, row=len(rows), col=col, origin=origin))
                if merge == "restart":
                    open_cells[col] = [len(rows), len(row) - 1]
                else:
                    open_cells.pop(col, None)
                col += span
            if row:
                rows.append(row)
        if rows:
            tables.append(RawTable(rows))
        new_line()

    def block(container) -> None:
        for child in container.iterchildren():
            if child.tag == P:
                new_line()
                write(para_text(child, True))
            elif child.tag == TBL:
                table(child)
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    block(content)

    block(body)
    return "".join(out), tables
