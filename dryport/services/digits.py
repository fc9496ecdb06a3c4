"""Whole numbers typed as text, read in one place: ASCII digits only.

``str.isdigit`` is true for superscripts (``"²"``) that ``int`` then refuses, and ``int``
itself takes full-width and Arabic-Indic digits (``int("٣")`` is 3), underscores and spaces.
No number of the port is written that way, so a header, a form field, a URL or a query
parameter that spells one is refused like any other non-number.
"""

import re

_WHOLE = re.compile(r"-?[0-9]{1,18}")


def whole_number(text: str, *, signed: bool = False) -> int:
    """The integer ``text`` spells in ASCII digits (with a leading ``-`` when ``signed``),
    at most 18 of them. Raises ``ValueError`` otherwise, as ``int`` does, so that it also
    serves as the ``type`` of ``request.args.get``."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text):
        raise ValueError(f"not a whole number: {text!r}")
    if text.startswith("-") and not signed:
        raise ValueError(f"not a whole number: {text!r}")
    return int(text)


def is_whole_number(text: str, *, signed: bool = False) -> bool:
    """Whether ``whole_number`` reads ``text``."""
    try:
        whole_number(text, signed=signed)
    except ValueError:
        return False
    return True


def record_id(text: str) -> int | None:
    """``text`` as a record id (1 to 2147483647, as the ``id`` URL converter takes), else
    None."""
    if not is_whole_number(text) or len(text) > 10:
        return None
    value = whole_number(text)
    return value if 1 <= value <= 2**31 - 1 else None
