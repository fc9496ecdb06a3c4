"""The font for Chinese and Latin text: a TrueType CJK font embedded when one is configured or
found on the machine, else reportlab's built-in STSong-Light CID font (then the viewer must
have a Chinese font)."""

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


@cache
def cjk_font(configured: str | None = None) -> str:
    """Register the font once and return its name for reportlab."""
    candidates = [configured] if configured else list(KNOWN_FONTS)
    for path in candidates:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("DryportCJK", path, subfontIndex=0))
                return "DryportCJK"
            except Exception:  # a broken or unsupported font file: try the next
                log.warning("cannot use the font %s", path, exc_info=True)
    log.warning(
        "no TrueType CJK font found (set WAYBILL_FONT); PDFs use %s and depend on the "
        "viewer's Chinese fonts",
        FALLBACK,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK
