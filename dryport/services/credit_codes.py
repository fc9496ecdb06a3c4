"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Eighteen characters from the alphabet ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):

| chars | meaning |
|---|---|
| 1 | registering authority: 1–9, A (military), N (agriculture: village collectives), Y |
| 2 | kind of organisation within that authority (a digit or a capital, per authority) |
| 3–8 | region: the six-digit administrative division code (GB/T 2260) |
| 9–17 | organisation code (GB 11714): eight characters and their own check character (0–9, X) |
| 18 | check character of the first seventeen (weights 3^i mod 31) |

python-stdnum's ``cn.uscc`` wants digits in characters 1–8, so it refuses the codes of village
collectives (N…), of other authorities (Y…, A…), and does not check the organisation code:
the rule lives here instead.
"""

import re

from flask_babel import lazy_gettext as _l

from dryport.services.errors import Invalid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
AUTHORITIES = "123456789ANY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_REGION = re.compile(r"[0-9]{6}")


def compact(raw: str | None) -> str:
    """The code as stored: capitals, without spaces or hyphens."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def _value(char: str) -> int:
    """GB 11714: digits are their value, letters A=10 … Z=35."""
    return int(char, 36)


def organisation_check(body: str) -> str:
    """The GB 11714 check character of an eight-character organisation code body."""
    remainder = 11 - sum(w * _value(c) for w, c in zip(_ORG_WEIGHTS, body, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def check_character(first17: str) -> str:
    """The GB 32100 check character of the first seventeen characters."""
    total = sum(w * ALPHABET.index(c) for w, c in zip(_USCC_WEIGHTS, first17, strict=True))
    return ALPHABET[-total % 31]


def make(prefix: str, organisation: str) -> str:
    """A complete code from authority, kind and region (8 characters) and an organisation
    code body (8 characters): both check characters added. For seed data and tests."""
    first17 = prefix + organisation + organisation_check(organisation)
    return first17 + check_character(first17)


def validate(raw: str | None) -> str:
    """The code, compacted, when it is valid per GB 32100-2015 and GB 11714.

    Raises ``Invalid`` naming the first fault: the length, a character outside the alphabet,
    the authority, the region, or a check character (naming the right one).
    """
    code = compact(raw)
    if len(code) != LENGTH:
        raise Invalid(
            _l("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
        )
    if any(char not in ALPHABET for char in code):
        raise Invalid(
            _l(
                "A unified social credit code uses digits and the capitals A–Y "
                "without I, O, S, V, Z."
            )
        )
    if code[0] not in AUTHORITIES:
        raise Invalid(
            _l(
                "The first character of a credit code (the registering authority) is "
                "a digit 1–9 or A, N or Y."
            )
        )
    if not _REGION.fullmatch(code[2:8]):
        raise Invalid(_l("Characters 3 to 8 of a credit code are the six-digit region code."))
    expected = organisation_check(code[8:16])
    if code[16] != expected:
        raise Invalid(
            _l(
                "The organisation code (characters 9 to 17) should end in %(char)s.",
                char=expected,
            )
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise Invalid(
            _l("The check character of this credit code should be %(char)s.", char=expected)
        )
    return code
