"""Keep the translation catalogs whole: English translates each message to itself, and the
Chinese catalog takes the translations of a ``msgid -> msgstr`` dict when one is given.

    python scripts/catalogs.py                    # fill the English catalog
    python scripts/catalogs.py zh strings.py      # also set Chinese from a dict named ZH
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "dryport" / "translations"


def _rewrite(locale: str, translate, overwrite: bool) -> int:
    path = ROOT / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    catalog.fuzzy = False  # a whole catalog is never a guess
    catalog.project, catalog.version = "dryport", "1"
    catalog.copyright_holder = "Hengkou Dry Port"
    changed = 0
    for message in catalog:
        # a plural's msgstr is a tuple of forms, empty ones while untranslated
        done = all(message.string) if message.pluralizable else message.string
        if message.id and (overwrite or not done):
            text = translate(message.id)
            if text and text != message.string:
                message.string = text
                changed += 1
    with path.open("wb") as f:
        write_po(f, catalog, width=0, no_location=True)
    return changed


def main(argv: list[str]) -> None:
    print("en:", _rewrite("en", lambda msgid: msgid, overwrite=False), "set")
    strings = runpy.run_path(argv[1])["ZH"] if len(argv) == 2 and argv[0] == "zh" else {}
    print("zh:", _rewrite("zh", strings.get, overwrite=True), "set")


if __name__ == "__main__":
    main(sys.argv[1:])
