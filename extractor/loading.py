"""Load any input file into one ``Document``: decoded, normalised, mapped back.

The format comes from the file extension (.txt .md/.markdown .html/.htm .docx .pdf).
Everything a user can get wrong (missing, empty, binary, image, scanned,
encrypted, corrupt, unknown kind) raises ``InputError`` with one line saying
what is wrong and what to do.

What each format becomes (then ``normalize.normalize_mapped``: NFKC etc.):

* **txt / md** - decoded (BOM, UTF-8, then charset-normalizer, GB18030 preferred
  for Chinese) and normalised; nothing else changes (line layout kept).
* **html** - the visible text: one line per block (p, div, li, h1-6, br …),
  inline elements joined without a break (Word's ``<span>2</span><span>0</span>``
  reads ``20``), whitespace collapsed as a browser does. A data table gives one
  line per ``<tr>``, cells separated by ``\t`` (line breaks inside a cell
  become spaces; cells covered by a rowspan are absent, see
  ``TableCell.rowspan``/``colspan``) and a ``Document.tables`` entry. Tables
  that only lay out the page (a table inside, or one cell per row) are read as
  blocks. Dropped: script, style, head/title, iframes, widgets, hidden
  elements, and navigation chrome (nav/header/footer/aside/form elements and
  class/id words like nav, menu, footer, header, breadcrumb, share, search)
  unless that element holds most of the page's text. ``Document.source`` is
  the markup; offsets point at each character's position in it (an entity
  maps to its ``&``, a row/cell break to its tag).
* **docx** - body paragraphs and tables in document order (python-docx), tables
  as for HTML; ``Document.source`` is that raw text before normalisation.
* **pdf** - pdfplumber's text of each page, pages joined by ``\n``. A page
  without a text layer is a scan: with the ``ocr`` extra installed it is
  read by ``extractor.ocr`` (text lines, and tables a row per line, cells
  separated by a tab, in ``Document.tables`` with page boxes and confidence);
  without it, a PDF with no text layer at all is refused with the line to
  install it.
* **image** (.png .jpg/.jpeg .tif/.tiff .bmp) - a scanned page: OCR as above.

HTML, DOCX and PDF text is tidied after normalisation: single spaces, none at
line or cell edges, no blank lines.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path

import charset_normalizer

from extractor.document import Document, Format, Span, Table, TableCell
from extractor.errors import InputError
from extractor.normalize import normalize_mapped, source_to_text, sub_mapped

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

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
_OCR_HINT = "give it its image extension (.png, .jpg, .tif) to read it with OCR"

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# charset-normalizer names -> the codec we decode with (GB18030 is a superset of GBK/GB2312)
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def load(path: str | Path) -> Document:
    """Read the report at ``path`` into a ``Document``."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file; check the path.")
    if p.is_dir():
        raise InputError(f"{p} is a directory; give one report file, or run a batch: extractor extract DIR --out OUT.")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc}); check its permissions.") from None
    doc = load_bytes(data, p.name)
    return doc.model_copy(update={"path": str(p)})


def load_bytes(data: bytes, name: str) -> Document:
    """Read a report given as bytes; ``name`` (a file name) decides the format."""
    suffix = Path(name).suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    if fmt is None:
        if suffix in _IMAGE_EXTENSIONS or _image_kind(data):
            raise InputError(f"{name} is an image of a kind OCR does not take; save it as PNG to read it with OCR (supported: {SUPPORTED}).")
        kind = f"'{suffix}'" if suffix else "no extension"
        raise InputError(f"{name} has {kind}: unsupported kind of file; supported: {SUPPORTED}.")
    if not data.strip():
        raise InputError(f"{name} is empty; give a report with text in it.")
    image = _image_kind(data)
    if image and fmt not in ("docx", "pdf", "image"):
        raise InputError(f"{name} is a {image} image, not text; {_OCR_HINT}.")
    if fmt != "pdf" and data.startswith(b"%PDF-"):  # (an image named .pdf fails below as "not a PDF")
        raise InputError(f"{name} is a PDF file; give it the .pdf extension.")
    if fmt in ("txt", "md", "html") and data.startswith(b"PK\x03\x04"):
        raise InputError(f"{name} is a ZIP package (a .docx?), not text; give a Word file the .docx extension.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{name} is an old binary Office file (.doc/.xls); save it as .docx (or PDF) and try again.")
    sha = hashlib.sha256(data).hexdigest()
    if fmt in ("txt", "md"):
        source, encoding = decode_text(data, name)
        text, offsets = normalize_mapped(source)
        tables: list[Table] = []
    elif fmt == "html":
        source, encoding = decode_text(data, name, markup=True)
        text, offsets, tables = _load_html(source)
    elif fmt == "docx":
        encoding = None
        source, cells = _docx_text(data, name)
        text, offsets, tables = _finish_tables(source, cells)
    else:
        encoding = None
        pages = _pdf_text(data, name) if fmt == "pdf" else []
        scanned = [i for i, page in enumerate(pages) if not page.strip()]
        if fmt == "pdf" and not scanned:
            source = "\n".join(pages)
            text, offsets = _tidy(*normalize_mapped(source))
            tables = []
        else:
            doc = _load_scanned(data, name, pages, scanned, sha)
            if doc is not None:
                return doc
            source = "\n".join(pages)  # OCR not installed: the pages that have a text layer
            text, offsets = _tidy(*normalize_mapped(source))
            tables = []
    if not text.strip():
        raise InputError(f"{name} has no text after decoding (only blanks or markup); give a report with text in it.")
    return Document(
        format=fmt,
        encoding=encoding,
        sha256=sha,
        source=source,
        text=text,
        offsets=offsets,
        tables=tables,
    )


# Cell positions are recorded as source ranges and mapped to text positions at the end
# (the map is non-decreasing), so they survive normalisation and tidying.
CellRange = tuple[int, int, int, int]  # (source start, source end, colspan, rowspan)


# --- decoding -----------------------------------------------------------------


def _image_kind(data: bytes) -> str | None:
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_text(data: bytes, name: str, markup: bool = False) -> tuple[str, str]:
    """Decode text bytes: BOM, then UTF-8, then (HTML) the declared charset, then a detector.

    Returns the text (without BOM) and the encoding used (``utf-8-sig`` for UTF-8
    with a BOM). Text full of control characters is binary whatever it decoded as.
    """
    text, codec = _decode(data, name, markup)
    if len(_CONTROL.findall(text)) > len(text) // 100:
        raise InputError(
            f"{name} looks binary (control characters throughout), not text; "
            "give the report as text, HTML, DOCX or PDF."
        )
    return text, codec


def _decode(data: bytes, name: str, markup: bool) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.removesuffix("-sig")), codec
            except UnicodeDecodeError:
                raise InputError(
                    f"{name} starts with a {codec} byte-order mark but does not decode as {codec}; "
                    "re-save it as UTF-8."
                ) from None
    if b"\x00" in data:  # (UTF-16/32 text without a byte-order mark lands here too: too ambiguous to guess)
        raise InputError(
            f"{name} is binary (it contains NUL bytes), not text; give the report as text (UTF-8, GB18030, or UTF-16 "
            "with a byte-order mark), HTML, DOCX or PDF."
        )
    try:  # valid UTF-8 is almost never an accident, so it wins over any declaration
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if markup:
        m = _META_CHARSET.search(data[:4096])
        if m:
            codec = _codec_name(m.group(1).decode("ascii", "replace"))
            if codec:
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass  # the declaration lies; detect instead
    for codec in _detected(data):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    # The detector gave up; the reports are Chinese, so try the national standard strictly.
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise InputError(
            f"{name} is not readable text in any known encoding (binary?); give the report as UTF-8 or GB18030 text, "
            "HTML, DOCX or PDF."
        ) from None


# East-Asian double-byte codecs: when the detector reads the bytes as one of these, the bytes are
# double-byte CJK text, and for mainland government reports that is GB far more often than not.
_EAST_ASIAN = frozenset(
    "gb18030 big5 cp950 big5hkscs cp949 euc_kr johab cp932 shift_jis euc_jp euc_jis_2004 euc_jisx0213 "
    "shift_jis_2004 shift_jisx0213 hz iso2022_jp iso2022_kr".split()
)


def _detected(data: bytes) -> list[str]:
    """Codecs charset-normalizer finds plausible, GB18030 first when the text is East-Asian at all.

    Short GBK texts often decode just as cleanly as Korean cp949 or Big5 (the
    detector cannot tell from a few characters); these are mainland Chinese
    reports, so whenever the detector's best readings are East-Asian double-byte
    text we try GB18030 first (strictly: if it fails, the detector's order follows).
    """
    results = list(charset_normalizer.from_bytes(data))
    codecs_: list[str] = ["gb18030"] if _reads_as_chinese(data) else []
    if not results:
        return codecs_
    near = [m for m in results if m.chaos <= results[0].chaos + 0.1]
    if not codecs_ and any(_codec_name(m.encoding) in _EAST_ASIAN for m in near):
        codecs_.append("gb18030")
    for m in results:
        codec = _codec_name(m.encoding)
        if codec and codec not in codecs_:
            codecs_.append(codec)
    return codecs_


_HAN_OR_CJK_PUNCT = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _reads_as_chinese(data: bytes) -> bool:
    """Bytes that decode strictly as GB18030 into (nearly) nothing but Chinese characters and punctuation.

    For a short text the detector may prefer a single-byte code page that also
    decodes it (cp1006 for "、。主"); a strict GB18030 reading made only of
    Han characters, CJK punctuation and ASCII is not an accident.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if not ch.isascii()]
    return bool(wide) and sum(1 for ch in wide if _HAN_OR_CJK_PUNCT.match(ch)) >= 0.9 * len(wide)


def _codec_name(label: str) -> str | None:
    import codecs

    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


# --- HTML -----------------------------------------------------------------------
#
# A small tolerant tokenizer + tree builder of our own, because every character of
# the text must map back to its position in the markup (lxml/html.parser lose it).
# Elements are closed the way browsers do for the cases reports need (p, li, td, tr…).

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
        self.tables: list[list[list[CellRange]]] = []

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
        rows: list[list[CellRange]] = []
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
            row: list[CellRange] = []
            for k, td in enumerate(cells):
                if k:
                    self.hard("\t", td.start)
                self.in_cell += 1
                self.element(td)
                self.in_cell -= 1
                self.pending_space = None
                row.append((td.inner_start, td.inner_end, _span_attr(td, "colspan"), _span_attr(td, "rowspan")))
            rows.append(row)
        if rows:
            self.tables.append(rows)
        self.pending_break = table.inner_end
        self.pending_space = None


def html_to_text(src: str) -> tuple[str, list[int], list[list[list[CellRange]]]]:
    """Visible text of an HTML page (one line per block, one per table row), its map and its tables."""
    root, _ = _parse_html(src)
    emitter = _Emitter(src, root.text_len)
    emitter.element(root)
    offsets = emitter.offsets
    offsets.append(len(src))
    return "".join(emitter.pieces), offsets, emitter.tables


def _load_html(source: str) -> tuple[str, list[int], list[Table]]:
    raw, raw_offsets, cells = html_to_text(source)
    text, offsets = normalize_mapped(raw, raw_offsets)
    text, offsets = _tidy(text, offsets)
    return text, offsets, _tables_from_cells(text, offsets, cells)


_SPACES = re.compile(r"(?<= ) +|^ +| +$| +(?=[\t\n])|(?<=[\t\n]) +", re.M)
_BLANK_LINES = re.compile(r"\A\n+|\n+(?=\n)|\n+\Z")


def _tidy(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """One space between words, none at line or cell edges, no blank lines (as a page shows them).

    Runs after NFKC so the NBSP/ideographic spaces it turned into ' ' go too.
    """
    text, offsets = sub_mapped(text, offsets, _SPACES, "")
    return sub_mapped(text, offsets, _BLANK_LINES, "")


def _tables_from_cells(text: str, offsets: list[int], tables: list[list[list[CellRange]]]) -> list[Table]:
    """Turn recorded source ranges into cells with spans in the final text."""
    out: list[Table] = []
    for rows in tables:
        trows: list[list[TableCell]] = []
        for row in rows:
            trow = []
            for s_start, s_end, colspan, rowspan in row:
                a = source_to_text(offsets, s_start)
                b = max(a, source_to_text(offsets, s_end))
                trow.append(TableCell(text=text[a:b], span=Span(start=a, end=b), colspan=colspan, rowspan=rowspan))
            if len(trow) == 1 and not trow[0].text:
                continue  # a lone empty cell leaves no line in the text, so no row either
            trows.append(trow)
        cells = [c for r in trows for c in r]
        if not cells:
            continue
        span = Span(start=min(c.span.start for c in cells), end=max(c.span.end for c in cells))
        out.append(Table(rows=trows, span=span))
    return out


def _finish_tables(source: str, tables: list[list[list[CellRange]]]) -> tuple[str, list[int], list[Table]]:
    text, offsets = _tidy(*normalize_mapped(source))
    return text, offsets, _tables_from_cells(text, offsets, tables)


# --- DOCX -------------------------------------------------------------------------


def _docx_text(data: bytes, name: str) -> tuple[str, list[list[list[CellRange]]]]:
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
    tables: list[list[list[CellRange]]] = []

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
        rows: list[list[CellRange]] = []
        open_cells: dict[int, list] = {}  # grid column -> [row index, cell index] of a vertical merge
        for tr in tbl.iterchildren(TR):
            new_line()
            row: list[CellRange] = []
            col = 0
            for tc in tr.iterchildren(TC):
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
                    s0, e0, cs, rs = rows[r][c]
                    rows[r][c] = (s0, e0, cs, rs + 1)
                    col += span
                    continue
                if row:
                    write("\t")
                text = " ".join(t for t in (para_text(p, False).strip() for p in tc.iter(P)) if t)
                start = pos
                write(text.replace("\t", " ").replace("\n", " "))
                row.append((start, pos, span, 1))
                if merge == "restart":
                    open_cells[col] = [len(rows), len(row) - 1]
                else:
                    open_cells.pop(col, None)
                col += span
            if row:
                rows.append(row)
        if rows:
            tables.append(rows)
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


# --- PDF --------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str) -> list[str]:
    """The text layer of every page (pdfplumber); a scanned page has none."""
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{name} is not a PDF file (no %PDF header); check the file or its extension.")
    import pdfplumber

    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
    except Exception as exc:  # pdfminer raises many unrelated types for damaged/encrypted files
        names = " ".join(type(e).__name__ for e in (exc, *exc.args) if isinstance(e, BaseException))
        reason = "it is password-protected" if "password" in f"{names} {exc}".lower() else names
        raise InputError(
            f"{name} is not a readable PDF ({reason}); open it in a PDF viewer and re-save or print it to a new PDF."
        ) from None
    return pages


def _load_scanned(data: bytes, name: str, pages: list[str], scanned: list[int], sha: str) -> Document | None:
    """A document whose pages ``scanned`` (or, for an image, all) are read by OCR.

    Without the ``ocr`` extra: None when some pages have a text layer (they are
    read alone), else the one-line instruction to install it.
    """
    from extractor import ocr

    if not ocr.available():
        if pages and len(scanned) < len(pages):
            return None
        ocr.require(name, "is an image" if not pages else "has no text layer (scanned images?)")
    if pages:
        read = iter(ocr.read_pdf_pages(data, name, scanned))
        parts: list[str | ocr.OcrPage] = [next(read) if i in scanned else page for i, page in enumerate(pages)]
    else:
        parts = list(ocr.read_images(data, name))
    composed = ocr.compose(parts)
    text, offsets = _tidy(*normalize_mapped(composed.source))
    if not text.strip():
        what = "no text layer, and OCR found no text on its pages" if pages else "an image in which OCR found no text"
        raise InputError(f"{name} has {what}; check that it is the report (a clearer scan helps).")
    tables, lines, spans = ocr.to_grid(composed, text, offsets)
    return Document(
        format="pdf" if pages else "image", encoding=None, sha256=sha, source=composed.source, text=text,
        offsets=offsets, tables=tables, ocr_spans=spans, ocr_lines=lines,
    )


__all__ = ["EXTENSIONS", "SUPPORTED", "decode_text", "html_to_text", "load", "load_bytes"]
