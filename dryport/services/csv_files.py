"""Reading the CSV files operators upload (the railway's loading list, the customs' release
list): the text as Chinese Excel saves it, and its rows."""

import codecs
import csv
import io
from collections.abc import Iterator

from dryport.services.errors import Invalid


def decode(data: bytes, empty, unreadable) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark) or GB18030, as Chinese
    Excel saves CSV. Raises ``Invalid`` on ``file`` with ``empty`` for a file with nothing but
    blanks, ``unreadable`` for one that is no such text (UTF-16, a binary file)."""
    if not data.strip():
        raise Invalid(errors={"file": [empty]})
    encodings = ("utf-8", "gb18030")
    if data.startswith(codecs.BOM_UTF8):
        data, encodings = data[len(codecs.BOM_UTF8) :], ("utf-8",)
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # no spreadsheet writes one
            return text
        break
    raise Invalid(errors={"file": [unreadable]})


def rows(text: str, unreadable_line) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) of every line that is not blank, a spreadsheet's empty
    trailing columns dropped. Columns are split by commas, or by tabs or semicolons when the
    first line has those and no comma. ``unreadable_line(n)`` is the message of a line the
    CSV reader cannot read (a cell of over 128 KiB, a quote left open to the end)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            cells = [cell.strip() for cell in cells]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                yield line, cells
    except csv.Error:
        raise Invalid(errors={"file": [unreadable_line(start)]}) from None
