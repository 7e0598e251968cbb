"""The recogniser (rapidocr-onnxruntime, an optional extra) and the ruling lines of a page image.

``rapidocr-onnxruntime`` 1.4 carries its Chinese PP-OCRv4 detection and
recognition models inside its wheel: nothing is downloaded at run time. It is
imported only when a page needs OCR; without it, ``require()`` raises the
one-line instruction. One recogniser per thread (onnxruntime releases the GIL,
so pages recognise in parallel threads), each on one CPU thread.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from extractor.errors import InputError
from extractor.ocr.models import PageScan, Segment, Word

INSTALL_HINT = "pip install 'extractor[ocr]'"
# Boxes the recogniser is less sure of than this are still kept (the reader decides what
# a low-confidence digit is worth); below it the recogniser's reading is noise.
MIN_SCORE = 0.3
SURE = 0.97  # a number the page-wide reading is this sure of is not read again cell by cell
SETTINGS = f"rapidocr-1.4|det+rec|score>={MIN_SCORE}|lines-v5|deskew|nored|sure0.97|short|split|textline"

_local = threading.local()


def available() -> bool:
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def require(name: str, what: str = "has no text layer (scanned images?)") -> None:
    """Raise the one-line instruction when the ``ocr`` extra is not installed."""
    if not available():
        raise InputError(f"{name} {what}: reading it needs OCR, which is not installed; run: {INSTALL_HINT}")


def _engine() -> Any:
    eng = getattr(_local, "engine", None)
    if eng is None:
        from rapidocr_onnxruntime import RapidOCR

        # Pages are rendered at the resolution the recogniser suits (see render.py): never shrink them.
        eng = RapidOCR(
            intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=6000, use_cls=False, text_score=MIN_SCORE
        )
        _local.engine = eng
    return eng


def recognise(image: Any) -> list[Word]:
    """Text boxes of a BGR/gray image array, in pixels: text, confidence and the box around its corners."""
    result, _ = _engine()(image, use_cls=False, return_word_box=True, text_score=MIN_SCORE, box_thresh=0.5,
                          unclip_ratio=1.6)
    words: list[Word] = []
    for item in result or []:
        points, text, score = item[0], str(item[1]), item[2]
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        chars = [_bounds(q) for q in item[3]] if len(item) > 3 and item[3] else None
        if chars is not None and len(chars) != len(text):
            chars = None  # boxes that do not match the characters one to one are no use
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if chars is not None:
            chars = chars[lead : lead + len(text)]
        if text:
            box = {"x0": min(xs), "top": min(ys), "x1": max(xs), "bottom": max(ys)}
            words.append(Word(text=text, confidence=round(float(score), 4), chars=chars, **box))
    return words


def _bounds(points: Any) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def ruling_lines(image: Any, min_length: int) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical ruling lines of a page image (pixels), by morphology.

    Ink is found by Otsu's threshold; an opening with a long thin kernel keeps
    only strokes at least ``min_length`` pixels long (longer than any glyph
    stroke at the rendering resolution), so what is left are the table rules.
    """
    import cv2

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    out: list[list[Segment]] = []
    for horizontal in (True, False):
        size = (min_length, 1) if horizontal else (1, min_length)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        # close small gaps along the line (broken scans, anti-aliasing)
        gap = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1) if horizontal else (1, 9))
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, gap)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        segs: list[Segment] = []
        for i in range(1, n):
            x, y, w, h, _area = (int(v) for v in stats[i])
            if horizontal and w >= min_length:
                segs.append(Segment(at=y + h / 2, start=float(x), end=float(x + w)))
            elif not horizontal and h >= min_length:
                segs.append(Segment(at=x + w / 2, start=float(y), end=float(y + h)))
        out.append(segs)
    return out[0], out[1]


MAX_SKEW = 5.0  # degrees: a scan tilted more than this is not straightened (it is a rotated page, or no table)


def skew_angle(image: Any, min_line: int) -> float:
    """How far (degrees, counter-clockwise positive) the page's long horizontal rules are tilted; 0 without rules.

    Each long rule found by a horizontal opening (a tilted rule survives as a
    chain of short runs) is fitted with a straight line; the answer is the
    length-weighted median of their slopes.
    """
    import math

    import cv2
    import numpy as np

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_line, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found: list[tuple[float, int]] = []
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if w < 8 * min_line or h > w / 10:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        slope = float(np.polyfit(xs.astype(float), ys.astype(float), 1)[0])
        found.append((math.degrees(math.atan(slope)), w))
    if not found:
        return 0.0
    found.sort()
    half, seen = sum(w for _, w in found) / 2, 0
    for angle, w in found:
        seen += w
        if seen >= half:
            return -angle  # image y grows downwards
    return 0.0


def deskew(image: Any, min_line: int) -> Any:
    """The page turned so that its rules are level (a scan fed in slightly askew); unchanged when level."""
    import cv2

    angle = skew_angle(image, min_line)
    if abs(angle) < 0.05 or abs(angle) > MAX_SKEW:
        return image
    h, w = image.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    white = (255, 255, 255) if image.ndim == 3 else 255
    return cv2.warpAffine(image, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=white)


def drop_red(image: Any) -> Any:
    """The page without its red ink: the official seal stamped over the signature and the date.

    Body text and tables are printed in black; a red seal over them only
    hides characters from the recogniser (and its ring could pass for rules).
    """
    import numpy as np

    if image.ndim != 3:
        return image
    b, g, r = (image[:, :, i].astype(np.int16) for i in range(3))
    red = (r > 120) & (r - g > 60) & (r - b > 60)
    if not red.any():
        return image
    out = image.copy()
    out[red] = 255
    return out


def scan_image(image: Any, scale: float, min_line: int) -> PageScan:
    """Words and ruling lines of one page image; coordinates divided by ``scale`` (pixels -> page units).

    ``min_line`` is the shortest ruling line in pixels (longer than any glyph stroke).
    """
    image = deskew(drop_red(image), min_line)
    h, w = image.shape[:2]
    words = recognise(image)
    if words:  # a rule is longer than the strokes of the page's own text, however large it is printed
        heights = sorted(w.bottom - w.top for w in words)
        min_line = max(min_line, round(1.3 * heights[len(heights) // 2]))
    horizontal, vertical = ruling_lines(image, min_line)
    words = reread_cells(image, PageScan(width=w, height=h, words=words, horizontal=horizontal, vertical=vertical))

    def word(wd: Word) -> Word:
        chars = [(a / scale, b / scale, c / scale, d / scale) for a, b, c, d in wd.chars] if wd.chars else None
        return Word(text=wd.text, confidence=wd.confidence, chars=chars, x0=wd.x0 / scale, top=wd.top / scale,
                    x1=wd.x1 / scale, bottom=wd.bottom / scale)

    def seg(s: Segment) -> Segment:
        return Segment(at=s.at / scale, start=s.start / scale, end=s.end / scale)

    return PageScan(
        width=w / scale,
        height=h / scale,
        words=[word(x) for x in words],
        horizontal=[seg(s) for s in horizontal],
        vertical=[seg(s) for s in vertical],
    )




def _crop(
    image: Any, x0: float, top: float, x1: float, bottom: float, inset: int, ink_below: float = 200
) -> tuple[Any, tuple[int, int, int, int]] | None:
    """The ink inside a cell (rules excluded), padded white: a text line for the recogniser, and its box."""
    import cv2
    import numpy as np

    a, b = int(top) + inset, int(bottom) - inset
    c, d = int(x0) + inset, int(x1) - inset
    if b - a < 4 or d - c < 4:
        return None
    gray = image[a:b, c:d]
    gray = gray if gray.ndim == 2 else cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY)
    ink = gray < ink_below
    # a rule caught at the edge of the crop is no text: drop rows/columns that are nearly all ink
    rule_cols, rule_rows = ink.mean(axis=0) > 0.6, ink.mean(axis=1) > 0.6
    ink[:, rule_cols] = False
    ink[rule_rows, :] = False
    ys, xs = np.nonzero(ink)
    if len(ys) < 4:
        return None
    y0, y1, x0_, x1_ = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    piece = gray[y0:y1, x0_:x1_].copy()
    piece[:, rule_cols[x0_:x1_]] = 255
    piece[rule_rows[y0:y1], :] = 255
    zoom = max(1.0, 32 / max(1, y1 - y0))  # the recogniser reads lines about 32-48 px high
    if zoom > 1:
        piece = cv2.resize(piece, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    pad = max(8, piece.shape[0] // 2)
    line = np.full((piece.shape[0] + 2 * pad, piece.shape[1] + 2 * pad), 255, dtype=np.uint8)
    line[pad : pad + piece.shape[0], pad : pad + piece.shape[1]] = piece
    return cv2.cvtColor(line, cv2.COLOR_GRAY2BGR), (c + x0_, a + y0, c + x1_, a + y1)


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _unsure_number(words: list[Word]) -> bool:
    """Words that may be a misread number: short, no Chinese, and not all read surely ('D' for 0, '[' for 1)."""
    text = "".join(w.text for w in words)
    return len(text) <= 12 and not _CJK.search(text) and any(w.confidence < SURE for w in words)


def reread_cells(image: Any, scan: PageScan) -> list[Word]:
    """Read again, one cell at a time, the table cells that hold a number or seem empty.

    The page-wide detector misses small lone digits (a ``0`` in a wide cell) and
    reads them with low confidence. A second reading of the cell's ink alone
    fills what was missed; where the two readings differ the cell keeps the
    surer text but the lower confidence, so a doubtful digit stays doubtful.
    """
    import cv2

    from extractor.ocr.layout import place_words, ruled_grids, text_height

    height = text_height(scan.words)
    tol = max(2.0, 0.3 * height)
    grids = ruled_grids(scan, tol)
    if not grids:
        return scan.words
    rest = place_words(grids, scan.words, tol)
    inset = max(2, round(0.15 * height))
    page_gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    otsu, _ = cv2.threshold(page_gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ink_below = min(200.0, float(otsu) + 30)  # paper is lighter than this, glyphs (even anti-aliased) darker
    todo: list[tuple[Any, list[Word], tuple[int, int, int, int]]] = []
    crops: list[Any] = []
    for g in grids:
        for cell in g.cells:
            if cell.words and not _unsure_number(cell.words):
                continue  # text, or a number read surely: nothing to add
            got = _crop(image, cell.x0, cell.top, cell.x1, cell.bottom, inset, ink_below)
            if got is None or got[1][3] - got[1][1] > 1.6 * height:
                continue  # blank, or several lines: not one number
            crops.append(got[0])
            todo.append((cell, cell.words, got[1]))
    kept = list(rest)
    done: set[int] = set()
    if crops:
        results, _ = _engine().text_rec(crops, False)
        for (cell, page_words, box), (text, score) in zip(todo, results, strict=True):
            text = str(text).strip()
            if not text or score < MIN_SCORE:
                continue
            done.add(id(cell))
            page_text = "".join(w.text for w in sorted(page_words, key=lambda w: w.x0))
            page_conf = min((w.confidence for w in page_words), default=0.0)
            if page_words and page_text != text:
                chosen, conf = (text, score) if score >= page_conf else (page_text, page_conf)
                conf = min(score, page_conf)
            else:
                chosen, conf = text, max(score, page_conf)
            x0, top, x1, bottom = box
            kept.append(Word(text=chosen, confidence=round(float(conf), 4), x0=x0, top=top, x1=x1, bottom=bottom))
    for g in grids:
        for cell in g.cells:
            if id(cell) not in done:
                kept.extend(cell.words)
    return kept
