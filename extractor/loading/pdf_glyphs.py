"""Characters pdfminer cannot map, taken from pdfium instead.

A font without a usable character map (Chromium's "Save as PDF" writes the
text of such glyphs only as ``/ActualText``) comes out of pdfminer, and so of
pdfplumber, as ``(cid:N)``. pdfium reads the same text layer correctly, so for
a page with unmapped glyphs each one takes the character pdfium prints at the
same origin (the glyph's pen position); pdfplumber's geometry (boxes, rules, tables) is kept. A glyph
pdfium cannot name either becomes U+FFFD, never a guess.
"""

from __future__ import annotations

from typing import Any

Char = dict[str, Any]
_TOLERANCE = 1.0  # points between pdfplumber's and pdfium's origin of the same glyph
_UNKNOWN = "\ufffd"
_Found = dict[tuple[int, int], list[tuple[float, float, str]]]  # rounded origin -> (x, y, character)


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
                c = {**c, "text": _nearest(found, float(c["matrix"][4]), float(c["matrix"][5])) or _UNKNOWN}
            out.append(c)
        self.used.append(number)
        return out

    def _pdfium_chars(self, number: int) -> _Found:
        """pdfium's characters of a page by their rounded origin (the glyph's pen position, PDF user space)."""
        import ctypes

        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        if self._doc is None:
            self._doc = pdfium.PdfDocument(self.data)
        page = self._doc[number - 1]
        textpage = page.get_textpage()
        x, y = ctypes.c_double(), ctypes.c_double()
        try:
            found: _Found = {}
            for i in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage.raw, i):
                    continue
                code = raw.FPDFText_GetUnicode(textpage.raw, i)
                if not raw.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y)):
                    continue
                text = chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else _UNKNOWN
                found.setdefault((round(x.value), round(y.value)), []).append((x.value, y.value, text))
            return found
        finally:
            textpage.close()
            page.close()

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def _nearest(found: _Found, x: float, y: float) -> str | None:
    best: tuple[float, str] | None = None
    kx, ky = round(x), round(y)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for fx, fy, text in found.get((kx + dx, ky + dy), ()):
                d = abs(fx - x) + abs(fy - y)
                if d <= _TOLERANCE and (best is None or d < best[0]):
                    best = (d, text)
    return best[1] if best else None
