"""One normalised text for every input, with a map back to the original.

Every stage after loading reads ``Document.text`` as produced here, so the
rules are few and fixed:

* **NFKC.** Full-width digits, letters, punctuation and spaces become their
  ASCII forms: ``１２３`` -> ``123``, ``，`` -> ``,``, ``：`` -> ``:``,
  ``（一）`` -> ``(一)``, ``％`` -> ``%``, U+3000 -> ``' '``. Readers and
  section patterns must therefore match the ASCII forms (``(一)``, ``,``,
  ``:``); CJK-only punctuation such as ``、`` ``。`` ``“”`` ``《》`` ``【】``
  has no compatibility form and stays as it is. Some characters expand
  (``㈠`` -> ``(一)``, ``…`` -> ``...``): every piece maps to its origin.
* **Invisible characters are deleted:** zero-width space/joiners
  (U+200B..U+200D), word joiner (U+2060), BOM/ZWNBSP (U+FEFF), and every other
  format character (Unicode category Cf, e.g. soft hyphen, LRM/RLM), plus C0/C1
  control characters other than tab and newline.
* **Odd spaces become ``' '``:** NBSP, ideographic space, en/em/thin spaces …
  (every Unicode space separator, Zs).
* **Line ends become ``\\n``:** CRLF, CR, form feed (pdftotext page breaks),
  vertical tab, NEL, U+2028/U+2029.
* Nothing else changes: runs of spaces, blank lines and tabs are kept (format
  loaders tidy their own output, e.g. HTML collapses whitespace).

The map: ``normalize_mapped(text, offsets)`` returns the new text and, for each
of its characters, the position in the *original source* it came from (plus
one closing entry), so ``offsets`` compose across stages. The map is
non-decreasing, which lets callers turn a source position into a text
position with ``bisect``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

# Characters known to be NFKC-stable, not format/space/control characters and
# never composed with a neighbour: copied through in bulk. Everything else goes
# through ``_map_unit`` (tests check every character of these ranges).
_PLAIN_RANGES = (
    "\t\n\x20-\x7e"
    "\u00b7"  # middle dot
    "\u2014\u2018\u2019\u201c\u201d"  # — ‘ ’ “ ”
    "\u3001\u3002\u3008-\u3011"  # 、。〈〉《》「」『』【】
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs (+ extension A)
)
_SPECIAL_RUN = re.compile(f"[^{_PLAIN_RANGES}]+")

# Non-starters that NFKC may compose with the character before them although
# their combining class is 0 (Hangul vowel/trailing jamo, a few Indic vowel
# signs). A unit must not be split before them.
_SECONDARY_STARTERS = frozenset(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u102e\u1b35"
)

_LINE_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@lru_cache(maxsize=4096)
def _attaches(ch: str) -> bool:
    """True if ``ch`` may change how the character before it normalises."""
    decomposed = unicodedata.normalize("NFKD", ch)
    return (
        unicodedata.combining(ch) != 0
        or (decomposed != "" and unicodedata.combining(decomposed[0]) != 0)  # e.g. halfwidth ﾞ -> U+3099
        or "\u1160" <= ch <= "\u11ff"
        or "\ud7b0" <= ch <= "\ud7ff"
        or ch in _SECONDARY_STARTERS
    )


def _post(ch: str) -> str:
    """The non-NFKC rules for one (already NFKC) character."""
    if ch in ("\t", "\n"):
        return ch
    if ch in _LINE_BREAKS:
        return "\n"
    cat = unicodedata.category(ch)
    if cat == "Zs":
        return " "
    if cat in ("Cf", "Cc", "Zl", "Zp"):
        return ""
    return ch


@lru_cache(maxsize=8192)
def _map_unit(unit: str) -> str:
    """NFKC plus the space/invisible/line-end rules for one unit."""
    nf = unicodedata.normalize("NFKC", unit)
    if len(nf) == 1:
        return _post(nf)
    return "".join(_post(c) for c in nf)


def _specials(text: str) -> set[str]:
    return set("".join(_SPECIAL_RUN.findall(text)))


def _reference(text: str) -> str:
    """The whole-text result the mapped versions must reproduce."""
    nf = unicodedata.normalize("NFKC", text.replace("\r\n", "\n"))
    specials = _specials(nf)
    if not specials:
        return nf
    return nf.translate({ord(c): _post(c) for c in specials})


_CRLF = re.compile(r"\r\n")


def _per_char(text: str, specials: set[str]) -> tuple[str, list[int]]:
    """Fast path when no character can combine with a neighbour: map each on its own, in C."""
    idx: list[int] | range = range(len(text) + 1)
    if "\r" in specials and "\r\n" in text:
        text, idx = sub_mapped(text, idx, _CRLF, "\n")  # one newline, from the pair's start
    table = {ord(c): _map_unit(c) for c in specials}
    out = text.translate(table)
    odd = [c for c in specials if len(table[ord(c)]) != 1]
    if not odd:
        return out, list(idx)
    local: list[int] = []
    prev = 0
    for m in re.finditer("[" + "".join(re.escape(c) for c in odd) + "]", text):
        a = m.start()
        local.extend(range(prev, a))
        local.extend([a] * len(table[ord(m.group())]))
        prev = a + 1
    local.extend(range(prev, len(text) + 1))
    return out, local if isinstance(idx, range) else list(map(idx.__getitem__, local))


def _units(text: str) -> list[tuple[int, int]]:
    """Split the non-plain parts of ``text`` into independently normalisable units."""
    units: list[tuple[int, int]] = []
    for m in _SPECIAL_RUN.finditer(text):
        a, b = m.start(), m.end()
        if a > 0 and _attaches(text[a]):
            # a combining mark right after plain text: it belongs to the plain char
            if units and units[-1][1] == a:
                a = units.pop()[0]
            else:
                a -= 1
        start = a
        for i in range(a + 1, b):
            if not _attaches(text[i]):
                units.append((start, i))
                start = i
        units.append((start, b))
    return units


def _coarse_units(text: str) -> list[tuple[int, int]]:
    """Fallback: whole lines containing special characters, one unit each."""
    units = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if _SPECIAL_RUN.search(line):
            if line.endswith("\r"):  # keep CRLF handling in _apply
                units.extend([(pos, end - 1), (end - 1, end)])
            else:
                units.append((pos, end))
        pos = end + 1
    return units


def _apply(text: str, units: list[tuple[int, int]]) -> tuple[str, list[int]]:
    pieces: list[str] = []
    idx: list[int] = []
    prev = 0
    for a, b in units:
        if a > prev:
            pieces.append(text[prev:a])
            idx.extend(range(prev, a))
        unit = text[a:b]
        rep = _map_unit(unit)
        if rep:
            pieces.append(rep)
            idx.extend([a] * len(rep))
        prev = b
        if unit == "\r" and text[b : b + 1] == "\n":
            prev = b + 1  # CRLF: one newline, from the pair's start
    if prev < len(text):
        pieces.append(text[prev:])
        idx.extend(range(prev, len(text)))
    idx.append(len(text))
    return "".join(pieces), idx


def normalize_mapped(text: str, offsets: Sequence[int] | None = None) -> tuple[str, list[int]]:
    """Normalise ``text``; return it with a map of each position to the source.

    ``offsets`` maps ``text`` (``len(text) + 1`` entries) into some original;
    the returned map points into that same original. Without it, into ``text``.
    """
    if offsets is not None and len(offsets) != len(text) + 1:
        raise ValueError("offsets must have len(text) + 1 entries")
    if not _SPECIAL_RUN.search(text):
        return text, list(offsets) if offsets is not None else list(range(len(text) + 1))
    specials = _specials(text)
    expected = _reference(text)
    out = None
    if not any(_attaches(c) for c in specials):
        out, idx = _per_char(text, specials)
    if out != expected:
        out, idx = _apply(text, _units(text))
    if out != expected:
        # some composition crossed our unit boundaries: map whole lines instead
        out, idx = _apply(text, _coarse_units(text))
    if offsets is None:
        return out, idx
    return out, list(map(offsets.__getitem__, idx))


def normalize(text: str) -> str:
    """The normalised form of ``text`` (same rules, no map)."""
    return _reference(text)


def sub_mapped(
    text: str, offsets: Sequence[int], pattern: re.Pattern[str], repl: str
) -> tuple[str, list[int]]:
    """``pattern.sub(repl, text)`` keeping the map: ``repl`` maps to each match's start."""
    pieces: list[str] = []
    out_offsets: list[int] = []
    prev = 0
    for m in pattern.finditer(text):
        a, b = m.span()
        pieces.append(text[prev:a])
        out_offsets.extend(offsets[prev:a])
        if repl:
            pieces.append(repl)
            out_offsets.extend([offsets[a]] * len(repl))
        prev = b
    if prev == 0 and not pieces:
        return text, list(offsets)
    pieces.append(text[prev:])
    out_offsets.extend(offsets[prev:])  # includes the closing entry
    return "".join(pieces), out_offsets


def source_to_text(offsets: Sequence[int], source_pos: int) -> int:
    """The first text position whose source position is at or after ``source_pos``."""
    return bisect_left(offsets, source_pos)


_WHITESPACE = re.compile(r"\s+")


def compact(text: str) -> str:
    """Normalised text without any whitespace: how headings, labels and names are compared.

    Stray spaces and line breaks from converters vanish. Expects normalised
    text (``Document.text``); for raw text use ``compact(normalize(raw))``.
    """
    return _WHITESPACE.sub("", text)
