"""Characters pdfminer cannot map, taken from pdfium instead.

A font without a usable character map (Chromium's "Save as PDF" writes the
text of such glyphs only as ``/ActualText``) comes out of pdfminer, and so of
pdfplumber, as ``(cid:N)``. pdfium reads the same text layer correctly, so for
a page with unmapped glyphs each one takes the character pdfium prints at the
same place; pdfplumber's geometry (boxes, rules, tables) is kept. A glyph
pdfium cannot name either becomes U+FFFD, never a guess.
"""

from __future__ import annotations

from typing import Any

Char = dict[str, Any]
_TOLERANCE = 1.5  # points between pdfplumber's and pdfium's corner of the same glyph
_UNKNOWN = "\ufffd"
_Found = dict[tuple[int, int], list[tuple[float, float, str]]]  # rounded corner -> (x, bottom, character)


def unmapped(char: Char) -> bool:
    text = char.get("text") or ""
    return text.startswith("(cid:") and text.endswith(")")


class Glyphs:
    """Fixes the unmapped characters of a file's pages; pdfium opens the file only if one needs it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.used: list[int] = []  # pages where pdfium's characters were used
        self._doc: Any = None

    def fix(self, page: Any, number: int) -> list[Char]:
        chars: list[Char] = page.chars
        if not any(unmapped(c) for c in chars):
            return chars
        found = self._pdfium_chars(number)
        out: list[Char] = []
        for c in chars:
            if unmapped(c):
                key = (round(c["x0"]), round(c["bottom"]))
                text = _nearest(found, key, c) or _UNKNOWN
                c = {**c, "text": text}
            out.append(c)
        self.used.append(number)
        return out

    def _pdfium_chars(self, number: int) -> _Found:
        """pdfium's characters of a page by the rounded bottom-left corner of their box (pdfplumber's coordinates)."""
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        if self._doc is None:
            self._doc = pdfium.PdfDocument(self.data)
        page = self._doc[number - 1]
        textpage = page.get_textpage()
        try:
            left, _, _, top_edge = page.get_bbox()
            found: _Found = {}
            for i in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage.raw, i):
                    continue
                code = raw.FPDFText_GetUnicode(textpage.raw, i)
                x0, y0, _, _ = textpage.get_charbox(i, loose=True)
                x, bottom = x0 - left, top_edge - y0
                found.setdefault((round(x), round(bottom)), []).append((x, bottom, chr(code) if code else _UNKNOWN))
            return found
        finally:
            textpage.close()
            page.close()

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def _nearest(found: _Found, key: tuple[int, int], c: Char) -> str | None:
    best: tuple[float, str] | None = None
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for x, bottom, text in found.get((key[0] + dx, key[1] + dy), ()):
                d = abs(x - c["x0"]) + abs(bottom - c["bottom"])
                if d <= _TOLERANCE and (best is None or d < best[0]):
                    best = (d, text)
    return best[1] if best else None
