"""Which Chinese encoding family a text is in, where the general detector cannot tell.

Big5 (traditional Chinese, Taiwan/Hong Kong) bytes also decode without error
as GB18030, into nonsense characters, so a Big5 file used to be read as
garbage with exit 0. Both readings are compared by how many of their Han
characters are among the most frequent characters of any Chinese text (the
same in both scripts, or in both forms): real text is full of them, a wrong
decoding is not. A Big5 file is refused: the reader's labels are the
simplified ones of the mainland template, so a traditional text would be read
as empty tables anyway.
"""

from __future__ import annotations

from extractor.errors import InputError, printable

# Frequent in any Chinese text, plus the words of a disclosure report in both forms.
_COMMON = frozenset(
    "的一是在不了有和人中大上以年月日其等及对對为為与與个個这這们們来來到时時说說要就出会會可也你"
    "对對政府信息資訊资讯公开開工作度报報告申请請件部门門行关關相依法主动動收到办辦理复復议議诉訟讼"
    "数數量本共计計总總结結果情况況机機构構区區县縣市省"
)


def common_share(text: str) -> float:
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    return sum(ch in _COMMON for ch in han) / len(han) if len(han) >= 20 else 0.0


def looks_big5(data: bytes) -> bool:
    """Bytes that read as sensible Chinese in Big5 and as nonsense in GB18030."""
    sample = data[: 256 * 1024]
    try:
        big5 = sample.decode("cp950", errors="strict")
    except UnicodeDecodeError:
        # the sample may end inside a character
        try:
            big5 = sample[:-1].decode("cp950")
        except UnicodeDecodeError:
            return False
    gb = sample.decode("gb18030", errors="replace")
    b, g = common_share(big5), common_share(gb)
    return b >= 0.1 and b > 2 * g


def refuse_big5(data: bytes, name: str) -> None:
    """``InputError`` for Big5 text (not UTF-8, so called only when UTF-8 failed)."""
    if looks_big5(data):
        raise InputError(
            f"{printable(name)} is Big5 (traditional Chinese) text, which the reader does not read; "
            "convert it to simplified Chinese in UTF-8 (e.g. with OpenCC) and try again."
        )
