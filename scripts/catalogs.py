"""Keep the translation catalogs whole: English translates each message to itself, and the
Chinese catalog is filled from a ``msgid -> msgstr`` dict when one is given.

    python scripts/catalogs.py                    # fill the English catalog
    python scripts/catalogs.py zh new_strings.py  # also merge a dict named ZH into Chinese
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "dryport" / "translations"


def _rewrite(locale: str, fill) -> int:
    path = ROOT / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    changed = 0
    for message in catalog:
        if message.id and not message.string:
            text = fill(message.id)
            if text:
                message.string = text
                changed += 1
    with path.open("wb") as f:
        write_po(f, catalog, omit_header=False, width=0, no_location=True)
    return changed


def main(argv: list[str]) -> None:
    print("en:", _rewrite("en", lambda msgid: msgid), "filled")
    if len(argv) == 2 and argv[0] == "zh":
        strings = runpy.run_path(argv[1])["ZH"]
        print("zh:", _rewrite("zh", strings.get), "filled")


if __name__ == "__main__":
    main(sys.argv[1:])
