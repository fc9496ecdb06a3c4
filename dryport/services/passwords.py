"""Passwords too easy to guess: the commonest ones, and the user's own email address.

The list is Django's (``dryport/data/README.md`` says where it comes from): 19,640 common
passwords, lowercased. It is read once per process, on first use.
"""

import functools
import gzip
import re
from pathlib import Path

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@functools.cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether the password, in any case, is one of the commonest passwords."""
    return password.strip().lower() in _common()


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]", "", text.lower())


def is_own_email(password: str, email: str | None) -> bool:
    """Whether the password is the email address, or its part before the @, give or take case,
    punctuation and digits added at the end (``Li.Na@example.com``, ``li.na.wang2024``)."""
    if not email or "@" not in email:
        return False
    typed = _letters_and_digits(password)
    whole, local = _letters_and_digits(email), _letters_and_digits(email.split("@")[0])
    if typed in (whole, local):
        return True
    return len(local) >= 4 and typed.startswith(local) and typed[len(local) :].isdigit()
