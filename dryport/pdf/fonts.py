"""The font for Chinese and Latin text: a TrueType CJK font embedded when one is configured or
found on the machine, else reportlab's built-in STSong-Light CID font (then the viewer must
have a Chinese font)."""

import functools
import logging
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

#: Looked for in this order when no font is configured (Debian's packages, then common ones).
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FALLBACK = "STSong-Light"


class _GlyphTable:
    """A font file's ``glyf`` table as reportlab's subsetting reads it: sliced glyph by glyph.
    Each slice is copied, the table itself never: reportlab's ``get_table`` copies the whole
    table (10.6 MB in WenQuanYi Zen Hei) for every subset of every document it saves."""

    def __init__(self, data: bytes, pos: int, length: int):
        self._view = memoryview(data)[pos : pos + length]

    def __getitem__(self, part: slice) -> bytes:
        return self._view[part].tobytes()

    def __len__(self) -> int:
        return len(self._view)


def _glyphs_in_place(font: TTFont) -> TTFont:
    """``font`` with its ``glyf`` table read in place when subsets are made (``_GlyphTable``)."""
    face = font.face
    get_table = face.get_table

    def table(tag: str):
        if tag != "glyf":
            return get_table(tag)
        pos, length = face.get_table_pos(tag)
        return _GlyphTable(face._ttf_data, pos, length)

    face.get_table = table
    return font


def _register_first(name: str, paths) -> str | None:
    """Register the first usable TrueType file of ``paths`` as ``name``; None when none is."""
    for path in paths:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(_glyphs_in_place(TTFont(name, path, subfontIndex=0)))
                return name
            except Exception:  # a broken or unsupported font file: try the next
                log.warning("cannot use the font %s", path, exc_info=True)
    return None


@cache
def cjk_font(configured: str | None = None) -> str:
    """Register the font once and return its name for reportlab."""
    if _register_first("DryportCJK", [configured] if configured else KNOWN_FONTS):
        return "DryportCJK"
    log.warning(
        "no TrueType CJK font found (set WAYBILL_FONT); PDFs use %s and depend on the "
        "viewer's Chinese fonts",
        FALLBACK,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


#: Latin fonts for the letters a CJK font lacks (WenQuanYi has Ł and ń but not ź, ż, ś, ą,
#: ę, ć: "Łódź" would print with holes), looked for in this order.
LATIN_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)


@cache
def latin_font() -> str | None:
    """Register the Latin fallback once and return its name; None when none is found."""
    return _register_first("DryportLatin", LATIN_FONTS)


@cache
def _covers(font: str, char: str) -> bool:
    registered = pdfmetrics.getFont(font)
    face = getattr(registered, "face", None)
    if face is not None and hasattr(face, "charToGlyph"):
        return ord(char) in face.charToGlyph
    try:  # the built-in CID font: the GBK repertoire
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def font_for(char: str, font: str) -> str:
    """``font``, or the Latin fallback for a character ``font`` has no glyph for."""
    if char.isascii() or _covers(font, char):
        return font
    fallback = latin_font()
    return fallback if fallback and _covers(fallback, char) else font


@functools.lru_cache(maxsize=8192)  # labels recur on every page
def runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """``text`` as (font, part) runs: each character in ``font`` unless only the Latin
    fallback has it."""
    if text.isascii():
        return ((font, text),)
    parts: list[tuple[str, str]] = []
    for char in text:
        chosen = font_for(char, font)
        if parts and parts[-1][0] == chosen:
            parts[-1] = (chosen, parts[-1][1] + char)
        else:
            parts.append((chosen, char))
    return tuple(parts)


def text_out(block, text: str, font: str, size: float) -> None:
    """Add ``text`` to a reportlab text object in its runs, ending in ``font`` again."""
    for name, part in runs(text, font):
        block.setFont(name, size)
        block.textOut(part)
    block.setFont(font, size)


def text_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` as ``runs`` sets it."""
    return sum(pdfmetrics.stringWidth(part, name, size) for name, part in runs(text, font))
