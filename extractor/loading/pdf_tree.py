"""The pages of a PDF one at a time, each made on its own so that a damaged one cannot stop the rest.

pdfminer's ``PDFPage.create_pages`` builds each page inside its generator: a
page whose box or resources are broken ends the generator, and every page
after it is lost. Here the page tree is walked (inherited attributes passed
down, loops cut) and each page built separately: a page that cannot be built
is reported as an exception in place of the page, and the walk goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_INHERITED = ("Resources", "MediaBox", "CropBox", "Rotate")


def _name(value: Any) -> str | None:
    return getattr(value, "name", None)


def page_objects(doc: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """``(object id, attributes)`` of every leaf of the page tree, in order."""
    from pdfminer.pdftypes import resolve1

    seen: set[Any] = set()
    root = doc.catalog.get("Pages")
    stack: list[tuple[Any, dict[str, Any]]] = [(root, dict(doc.catalog))]
    while stack:
        ref, parent = stack.pop()
        objid = getattr(ref, "objid", id(ref))
        if objid in seen:
            continue
        seen.add(objid)
        node = resolve1(ref)
        if not isinstance(node, dict):
            yield objid, {}  # a broken leaf: building it fails and it is reported as such
            continue
        attrs = dict(node)
        for key in _INHERITED:
            if key not in attrs and key in parent:
                attrs[key] = parent[key]
        kind = _name(attrs.get("Type") or attrs.get("type"))
        kids = resolve1(attrs.get("Kids"))
        if kind == "Pages" or (kind is None and isinstance(kids, list)):
            for kid in reversed(kids if isinstance(kids, list) else []):
                stack.append((kid, attrs))
        else:
            yield objid, attrs


def pages(pdf: Any) -> Iterator[Any]:
    """pdfplumber pages of ``pdf`` (opened with ``pdfplumber.open``), or the exception building one raised."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    for number, (objid, attrs) in enumerate(page_objects(pdf.doc), start=1):
        try:
            if not attrs:
                raise ValueError("not a page object")
            yield Page(pdf, PDFPage(pdf.doc, objid, attrs, None), page_number=number)
        except Exception as exc:  # a damaged page: its box, resources or object is broken
            yield exc
