"""Setting text into boxes: lines break between words (English, Russian, numbers and codes
never break inside a word; Chinese may break after any character), and a text too long for
its box is set smaller until it fits, so nothing runs over a box edge or is cut off."""

import functools
import re
from decimal import Decimal

from dryport.pdf.fonts import text_width

#: The smallest size text is shrunk to; below it a box would be unreadable on paper.
MIN_SIZE = 5.0
LEADING = 1.25  # line height as a multiple of the size

# A token is a run of spaces, one CJK character (a break may follow any of them), or a word:
# everything else up to the next space or CJK character.
_CJK = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef"
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


@functools.lru_cache(maxsize=16384)
def width(text: str, font: str, size: float) -> float:
    """``fonts.text_width``, kept: the same words are measured at every size tried."""
    return text_width(text, font, size)


def wrap(text: str, room: float, font: str, size: float) -> list[str]:
    """``text`` in lines no wider than ``room``, broken at spaces or beside a CJK character.

    A word wider than the whole line is the one thing cut inside (at a character), and only
    when shrinking could not make it fit: cutting it beats running over the box edge."""
    lines: list[str] = []
    current, used = "", 0.0
    for token in _TOKENS.findall(text):
        advance = width(token, font, size)
        if token.isspace():
            if current:
                current, used = current + " ", used + advance
            continue
        if used + advance <= room:
            current, used = current + token, used + advance
            continue
        if current.strip():
            lines.append(current.rstrip())
        current, used = "", 0.0
        while advance > room and len(token) > 1:  # a word wider than the line
            cut = _longest_prefix(token, room, font, size)
            lines.append(token[:cut])
            token = token[cut:]
            advance = width(token, font, size)
        current, used = token, advance
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _longest_prefix(word: str, room: float, font: str, size: float) -> int:
    used = 0.0
    for index, char in enumerate(word):
        used += width(char, font, size)
        if used > room:
            return max(index, 1)
    return len(word)


def _widest_word(text: str, font: str, size: float) -> float:
    return max((width(t, font, size) for t in _TOKENS.findall(text) if not t.isspace()), default=0)


def fit(
    texts: list[str], room: float, height: float, font: str, size: float
) -> tuple[float, list[str]]:
    """The size (at most ``size``, at least ``MIN_SIZE``) and the lines that set ``texts``
    into a ``room`` wide, ``height`` tall space: the largest size at which every word fits
    the width and all lines the height."""
    return _fit(tuple(texts), room, height, font, size)


@functools.lru_cache(maxsize=4096)  # labels and most values recur on every page
def _fit(texts: tuple[str, ...], room: float, height: float, font: str, size: float):
    while True:
        fits_width = all(_widest_word(t, font, size) <= room for t in texts)
        lines = [line for text in texts for line in wrap(text, room, font, size)]
        if size <= MIN_SIZE or (fits_width and len(lines) * size * LEADING <= height):
            return size, lines
        size = max(MIN_SIZE, size - 0.5)


def grouped(value: int | float | Decimal, decimals: int = 0) -> str:
    """A number with thousands separators: 12,000 or 12,000.0."""
    return f"{value:,.{decimals}f}"
