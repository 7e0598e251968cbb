"""HTML: the visible text of a web page, one line per block, tables as grids.

One line per block (p, div, li, h1-6, br …), inline elements joined without a
break (Word's ``<span>2</span><span>0</span>`` reads ``20``), whitespace
collapsed as a browser does. A data table gives one line per ``<tr>``, cells
separated by ``\\t`` (line breaks inside a cell become spaces; cells covered by
a rowspan are absent, see ``TableCell.rowspan``/``colspan``) and a
``Document.tables`` entry whose cells carry their grid position and
``origin`` ("html offset N": the ``<td>``'s position in the markup). Tables
that only lay out the page (a table inside, or one cell per row) are read as
blocks. Dropped: script, style, head/title, iframes, widgets, hidden elements,
and navigation chrome (nav/header/footer/aside/form elements and class/id
words like nav, menu, footer, header, breadcrumb, share, search) unless that
element holds most of the page's text. Offsets point at each character's
position in the markup (an entity maps to its ``&``, a row/cell break to its tag).

A small tolerant tokenizer + tree builder of our own, because every character
of the text must map back to its position in the markup (lxml/html.parser lose
it). Elements are closed the way browsers do for the cases reports need (p, li,
td, tr…).
"""

from __future__ import annotations

import html
import re

from extractor.loading.base import Loaded, RawCell, RawTable, finish

_TOKEN = re.compile(
    r"""<!--.*?(?:-->|\Z)
      | <![^>]*>?
      | <\?[^>]*>?
      | <(/?)([A-Za-z][^\t\n\f\r />]*)((?:=\s*"[^"]*"|=\s*'[^']*'|[^>])*+)>""",
    re.S | re.X,
)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_WS_OR_ENTITY = re.compile(r"[ \t\n\r\f]+|&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)")

_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_RAW_TEXT = frozenset("script style textarea title xmp noembed noframes plaintext".split())
_RAW_END = {t: re.compile(rf"</{t}\s*>", re.I) for t in _RAW_TEXT}
_BLOCKS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol option p pre section
    summary table tbody td tfoot th thead tr ul""".split()
)
# A start tag of these closes an open <p> (HTML's rule, for the sloppy pages Word and CMSs write).
_P_CLOSERS = frozenset(
    """address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form
    h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section summary table ul""".split()
)
# Never text of the report.
_ALWAYS_DROP = frozenset(
    "script style noscript head title iframe frame frameset select option button textarea template svg math "
    "object embed canvas video audio map xml".split()
)
# Usually site chrome, but dropped only when they do not hold the body (see _is_dropped).
_CHROME_TAGS = frozenset("nav header footer aside form".split())
_CHROME_ROLES = frozenset("navigation banner contentinfo search menu menubar complementary".split())
# class/id words (split on - and _) that mark navigation chrome
_CHROME_WORDS = frozenset(
    """nav navbar navigation menu menus submenu topmenu mainmenu footer foot header topbar toolbar breadcrumb
    breadcrumbs crumb crumbs share sharebox bdshare search searchbox sidebar copyright qrcode ewm erweima tianqi
    weather login skip""".split()
)
_MAX_DEPTH = 200  # deeper nesting (broken pages) is flattened rather than recursed into


class _El:
    __slots__ = ("tag", "attrs", "start", "inner_start", "inner_end", "children", "parent", "text_len", "has_table")

    def __init__(self, tag: str, attrs: str, start: int, inner_start: int, parent: _El | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.start = start
        self.inner_start = inner_start
        self.inner_end = inner_start
        self.children: list[_El | tuple[int, int]] = []
        self.parent = parent
        self.text_len = 0
        self.has_table = False

    def attr(self, name: str) -> str | None:
        if name not in self.attrs.lower():
            return None
        for m in _ATTR.finditer(self.attrs):
            if m.group(1).lower() == name:
                value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
                return value if value is not None else ""
        return None


def _parse_html(src: str) -> tuple[_El, list[_El]]:
    """Build a loose element tree whose text children are ``(start, end)`` ranges of ``src``."""
    root = _El("#root", "", 0, 0, None)
    stack = [root]
    elements: list[_El] = []
    n = len(src)
    pos = 0

    def pop_to(i: int, at: int) -> None:
        for el in stack[i:]:
            el.inner_end = at
        del stack[i:]

    def find(tags: frozenset[str] | set[str], stop: frozenset[str] | set[str]) -> int:
        for i in range(len(stack) - 1, 0, -1):
            t = stack[i].tag
            if t in tags:
                return i
            if t in stop:
                return -1
        return -1

    while pos < n:
        m = _TOKEN.search(src, pos)
        if m is None:
            break
        if m.start() > pos:
            stack[-1].children.append((pos, m.start()))
        pos = m.end()
        name = m.group(2)
        if name is None:
            continue  # comment, doctype, processing instruction, <![if …]>
        tag = name.lower()
        at = m.start()
        if m.group(1):  # end tag
            if tag in ("td", "th", "tr", "tbody", "thead", "tfoot", "caption"):
                i = find({tag}, {"table"})
            elif tag == "table":
                i = find({tag}, set())
            else:
                i = find({tag}, {"td", "th", "table", "caption"})
            if i > 0:
                pop_to(i, at)
            elif tag in ("br", "p"):  # a stray </br> or </p> still breaks the line
                stack[-1].children.append(_El("br", "", at, pos, stack[-1]))
            continue
        attrs = m.group(3) or ""
        if tag in ("td", "th"):
            i = find({"td", "th"}, {"tr", "table"})
        elif tag == "tr":
            i = find({"tr"}, {"table"})
        elif tag in ("tbody", "thead", "tfoot"):
            i = find({"tbody", "thead", "tfoot"}, {"table"})
        elif tag == "li":
            i = find({"li"}, {"ul", "ol", "table", "td", "th"})
        elif tag in ("dt", "dd"):
            i = find({"dt", "dd"}, {"dl", "table", "td", "th"})
        elif tag in _P_CLOSERS:
            i = find({"p"}, {"table", "td", "th", "caption", "button"})
        else:
            i = -1
        if i > 0:
            pop_to(i, at)
        el = _El(tag, attrs, at, pos, stack[-1])
        stack[-1].children.append(el)
        elements.append(el)
        if tag in _RAW_TEXT:
            end = _RAW_END[tag].search(src, pos)
            el.inner_end = end.start() if end else n
            pos = end.end() if end else n
        elif tag in _VOID or attrs.rstrip().endswith("/") or len(stack) > _MAX_DEPTH:
            el.inner_end = pos
        else:
            stack.append(el)
    if pos < n:
        stack[-1].children.append((pos, n))
    pop_to(1, n)
    root.inner_end = n
    # text length and "holds a table" of every subtree, children before parents
    for el in reversed(elements):
        if el.tag in _ALWAYS_DROP:
            continue
        own = 0
        for child in el.children:
            if isinstance(child, tuple):
                a, b = child
                own += b - a - src.count(" ", a, b) - src.count("\n", a, b) - src.count("\t", a, b)
        el.text_len += own
        if el.tag == "table":
            el.has_table = True
        parent = el.parent
        if parent is not None:
            parent.text_len += el.text_len
            parent.has_table = parent.has_table or el.has_table
    root.text_len += sum(b - a for c in root.children if isinstance(c, tuple) for a, b in [c])
    return root, elements


def _class_words(el: _El) -> set[str]:
    words: set[str] = set()
    for name in ("class", "id"):
        value = el.attr(name)
        if value:
            words.update(w for w in re.split(r"[\s_\-]+", value.lower()) if w)
    return words


def _inside(el: _El, tags: set[str]) -> bool:
    p = el.parent
    while p is not None:
        if p.tag in tags:
            return True
        p = p.parent
    return False


def _is_dropped(el: _El, body_len: int) -> bool:
    """Script, style, forms' widgets … always; navigation chrome unless it holds the body."""
    if el.tag in _ALWAYS_DROP:
        return True
    a = el.attrs.lower()
    chrome = False
    if el.tag in _CHROME_TAGS:
        chrome = not (el.tag in ("header", "footer") and _inside(el, {"article", "main"}))
    if not chrome and a:
        if "hidden" in a and (el.attr("hidden") is not None or (el.attr("aria-hidden") or "").lower() == "true"):
            chrome = True
        elif "display" in a and re.search(r"display\s*:\s*none", el.attr("style") or "", re.I):
            chrome = True
        elif "role" in a and (el.attr("role") or "").lower() in _CHROME_ROLES:
            chrome = True
        elif ("class" in a or "id" in a) and _class_words(el) & _CHROME_WORDS:
            chrome = True
    if not chrome:
        return False
    # never throw the report away with the chrome: keep whatever holds most of the text, or a
    # table with a fair share of it (a menu laid out as a table is small next to the report)
    return not (el.text_len * 2 > body_len or (el.has_table and el.text_len * 5 > body_len))


def _is_data_table(el: _El) -> bool:
    """A table of data (not page layout): no table inside, and some row with two cells or more."""
    rows = _table_rows(el)
    if any(c.has_table for r in rows for c in _row_cells(r)):
        return False
    return any(len(_row_cells(r)) >= 2 for r in rows)


def _table_rows(table: _El) -> list[_El]:
    rows: list[_El] = []
    todo = list(reversed(table.children))
    while todo:
        c = todo.pop()
        if isinstance(c, tuple):
            continue
        if c.tag == "tr":
            rows.append(c)
        elif c.tag not in ("table", "td", "th"):
            todo.extend(reversed(c.children))
    return rows


def _row_cells(row: _El) -> list[_El]:
    return [c for c in row.children if not isinstance(c, tuple) and c.tag in ("td", "th")]


def _span_attr(el: _El, name: str) -> int:
    value = el.attr(name)
    if value:
        m = re.match(r"\s*(\d+)", value)
        if m:
            return max(1, min(int(m.group(1)), 1000))
    return 1


class _Emitter:
    """Writes visible text with, for each character, its position in the markup."""

    def __init__(self, src: str, body_len: int) -> None:
        self.src = src
        self.body_len = body_len
        self.pieces: list[str] = []
        self.offsets: list[int] = []
        self.line_start = True  # nothing but (dropped) whitespace since the last line/cell start
        self.pending_break: int | None = None
        self.pending_space: int | None = None
        self.in_cell = 0
        self.tables: list[RawTable] = []

    def _put(self, s: str, offs: list[int] | range) -> None:
        if self.pending_break is not None and self.pieces:
            self.pieces.append("\n")
            self.offsets.append(self.pending_break)
        elif self.pending_space is not None and not self.line_start:
            self.pieces.append(" ")
            self.offsets.append(self.pending_space)
        self.pending_break = self.pending_space = None
        self.pieces.append(s)
        self.offsets.extend(offs)
        self.line_start = False

    def space(self, pos: int) -> None:
        if not self.line_start and self.pending_space is None and self.pending_break is None:
            self.pending_space = pos

    def brk(self, pos: int) -> None:
        if self.in_cell:
            self.space(pos)
        elif self.pieces and not self.line_start and self.pending_break is None:
            self.pending_break = pos
            self.pending_space = None

    def hard(self, s: str, pos: int) -> None:
        """A structural character (row break, cell tab) that is written even between empty cells."""
        if s == "\n" and (not self.pieces or (self.line_start and self.pieces[-1].endswith("\n"))):
            self.pending_break = self.pending_space = None
            return
        self.pending_break = self.pending_space = None
        self.pieces.append(s)
        self.offsets.append(pos)
        self.line_start = True

    def text(self, a: int, b: int) -> None:
        src = self.src
        prev = a
        for m in _WS_OR_ENTITY.finditer(src, a, b):
            s, e = m.span()
            if s > prev:
                self._put(src[prev:s], range(prev, s))
            prev = e
            tok = m.group()
            if tok[0] != "&":
                self.space(s)
                continue
            decoded = html.unescape(tok)
            if decoded == tok:
                self._put(tok, range(s, e))
            elif decoded in (" ", "\t", "\n", "\r", "\f"):
                self.space(s)
            else:
                self._put(decoded, [s] * len(decoded))
        if b > prev:
            self._put(src[prev:b], range(prev, b))

    def element(self, el: _El) -> None:
        for child in el.children:
            if isinstance(child, tuple):
                self.text(*child)
                continue
            tag = child.tag
            if _is_dropped(child, self.body_len):
                if tag in _BLOCKS or tag in _ALWAYS_DROP:
                    self.brk(child.start)
                continue
            if tag in ("br", "hr"):
                self.brk(child.start)
                continue
            if tag == "table" and not self.in_cell and _is_data_table(child):
                self.table(child)
                continue
            block = tag in _BLOCKS
            if block:
                self.brk(child.start)
            self.element(child)
            if block:
                self.brk(child.inner_end)

    def table(self, table: _El) -> None:
        rows: list[list[RawCell]] = []
        for child in table.children:  # a caption is a line of its own
            if not isinstance(child, tuple) and child.tag == "caption":
                self.brk(child.start)
                self.element(child)
        for tr in _table_rows(table):
            if _is_dropped(tr, self.body_len):
                continue
            cells = _row_cells(tr)
            if not cells:
                continue
            self.hard("\n", tr.start)
            row: list[RawCell] = []
            for k, td in enumerate(cells):
                if k:
                    self.hard("\t", td.start)
                self.in_cell += 1
                self.element(td)
                self.in_cell -= 1
                self.pending_space = None
                row.append(
                    RawCell(
                        td.inner_start,
                        td.inner_end,
                        colspan=_span_attr(td, "colspan"),
                        rowspan=_span_attr(td, "rowspan"),
                        origin=f"html offset {td.start}",
                    )
                )
            rows.append(row)
        if rows:
            self.tables.append(RawTable(rows))
        self.pending_break = table.inner_end
        self.pending_space = None


def html_to_text(src: str) -> tuple[str, list[int], list[RawTable]]:
    """Visible text of an HTML page (one line per block, one per table row), its map and its tables."""
    root, _ = _parse_html(src)
    emitter = _Emitter(src, root.text_len)
    emitter.element(root)
    offsets = emitter.offsets
    offsets.append(len(src))
    return "".join(emitter.pieces), offsets, emitter.tables




def load_html(source: str, encoding: str) -> Loaded:
    raw, raw_offsets, tables = html_to_text(source)
    text, offsets, grids = finish(raw, tables, raw_offsets)
    return Loaded(source=source, text=text, offsets=offsets, tables=grids, encoding=encoding)
