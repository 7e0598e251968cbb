"""Bytes to text: byte-order marks, UTF-8, declared charsets, a detector; and what is not text at all.

Reports are Chinese, so GB18030 (a superset of GBK/GB2312) is preferred
whenever the bytes read as East-Asian double-byte text. Text full of control
characters is binary whatever it decoded as.
"""

from __future__ import annotations

import re

import charset_normalizer

from extractor.errors import InputError
from extractor.loading import charset

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
OCR_HINT = "give it its image extension (.png, .jpg, .tif) to read it with OCR"

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


def image_kind(data: bytes) -> str | None:
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
    charset.refuse_big5(data, name)  # Big5 (traditional) text is refused, not read as GB18030 garbage
    if markup:
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = _codec_name(m.group(1).decode("ascii", "replace"))
            if declared:
                try:
                    return data.decode(declared), declared
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
