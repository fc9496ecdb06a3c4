"""The files of a bulk booking upload: the template's columns, reading an XLSX workbook or a
CSV file into rows of booking fields, and writing the template.

A file is recognised by its content, never its name: an XLSX workbook is a ZIP package with
``xl/workbook.xml``; anything else must be CSV text (UTF-8 with or without a byte-order
mark, or GB18030 as Chinese Excel saves it, ``services.csv_files``). A macro-enabled
workbook, an old ``.xls`` file, a binary workbook and other binary files are refused.
Formula cells are read as their text and never evaluated; a row with one says so.

Every column of the template is named in both languages, ``"班列编号 / Departure ID"``, on
one header row (the first); a heading may also be given as its Chinese part, its English
part or the field's name (``departure_id``), in any order of columns. Rows are numbered as
the spreadsheet shows them: the header is row 1.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from dryport.report_formats import csv_bytes
from dryport.services import csv_files
from dryport.services.digits import is_whole_number, whole_number
from dryport.services.errors import Invalid, TooLarge


@dataclass(frozen=True)
class Column:
    key: str  # the booking field, as the booking form names its input
    zh: str
    en: str
    required: bool = False

    @property
    def heading(self) -> str:
        return f"{self.zh} / {self.en}"


COLUMNS = (
    Column("departure_id", "班列编号", "Departure ID", True),
    Column("origin_station", "始发站", "Origin station", True),
    Column("destination", "目的地", "Destination", True),
    Column("consignee.name", "收货人", "Consignee", True),
    Column("consignee.address", "收货人地址", "Consignee address", True),
    Column("notify_party.name", "通知方", "Notify party"),
    Column("notify_party.address", "通知方地址", "Notify party address"),
    Column("cargo.description", "品名", "Description of goods", True),
    Column("cargo.hs_code", "HS编码", "HS code", True),
    Column("cargo.packages.count", "件数", "Packages", True),
    Column("cargo.packages.kind", "包装种类", "Package kind", True),
    Column("cargo.packages.marks", "唛头", "Marks"),
    Column("cargo.gross_weight_kg", "毛重(kg)", "Gross weight (kg)", True),
    Column("cargo.net_weight_kg", "净重(kg)", "Net weight (kg)"),
    Column("cargo.reefer_temperature_c", "冷藏温度(°C)", "Reefer set point (°C)"),
    Column("cargo.dangerous_goods.un_number", "UN编号", "UN number"),
    Column("cargo.dangerous_goods.class", "危险品类别", "DG class"),
    Column("cargo.dangerous_goods.packing_group", "包装类别", "Packing group"),
    Column("cargo.dangerous_goods.proper_shipping_name", "正式运输名称", "Proper shipping name"),
    Column("cargo.dangerous_goods.emergency_contact", "应急联系方式", "Emergency contact"),
    Column("containers.0.size_type", "箱型1", "Size-type 1", True),
    Column("containers.0.quantity", "箱量1", "Quantity 1", True),
    Column("containers.1.size_type", "箱型2", "Size-type 2"),
    Column("containers.1.quantity", "箱量2", "Quantity 2"),
    Column("customs.declaration_no", "报关单号", "Customs declaration no."),
    Column("customs.invoice_value", "发票金额", "Invoice value"),
    Column("customs.currency", "发票币种", "Invoice currency"),
    Column("payment_term", "付费方式", "Payment term (PRE/COL)"),
)
BY_KEY = {column.key: column for column in COLUMNS}
#: The columns read: the template's and a few blank ones. A row with a value further right
#: is refused whole, and a sheet is never read past this column, whatever it declares.
WIDEST = len(COLUMNS) + 20
#: Blank rows taken beyond the row limit before the file is refused as too long.
BLANK_ROWS = 1000
#: Heading problems listed one by one; the rest are counted.
HEADING_PROBLEMS = 10
#: Leaves that a JSON client sends as numbers: digits in them become ints.
INTEGERS = frozenset({"departure_id", "count", "quantity"})

#: The largest file taken (a 10,000-row CSV with long addresses is about 4 MB).
MAX_BYTES = 8 * 1024 * 1024
MAX_MB = MAX_BYTES >> 20
TOO_LARGE = _l("A file of bookings may be at most %(mb)d MB; split it into several.", mb=MAX_MB)
#: What an XLSX package may unpack to: a small ZIP can inflate to gigabytes.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the old Office formats
_BINARY = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


@dataclass
class Row:
    """A row of the file: its number as the spreadsheet shows it, the booking it describes
    (nested as the API's body), and what was wrong with its cells before any rule is asked."""

    number: int
    body: dict
    problems: dict[str, list] = field(default_factory=dict)


def read_rows(data: bytes, max_rows: int) -> list[Row]:
    """The rows of an uploaded XLSX or CSV file that are not blank, header left out.

    Raises ``TooLarge`` above ``MAX_BYTES``; ``Invalid`` on ``file`` for an empty file, one
    that is neither XLSX nor CSV, a macro-enabled or binary workbook, headings that are not
    the template's, no rows, or more than ``max_rows`` rows.
    """
    if len(data) > MAX_BYTES:
        raise TooLarge(
            TOO_LARGE,
            errors={"file": [_l("The file is larger than %(mb)d MB.", mb=MAX_MB)]},
        )
    if not data.strip():
        raise Invalid(errors={"file": [_l("The file is empty.")]})
    if data.startswith(b"PK\x03\x04"):
        cells = _xlsx_rows(data, max_rows)
    elif data.startswith(_OLE2):
        raise _refused(_l("This is an Excel 97-2003 (.xls) file: save it as .xlsx or CSV."))
    elif data.startswith(_BINARY):
        raise _refused(_NOT_A_TABLE)
    else:
        text = csv_files.decode(data, _l("The file is empty."), _NOT_A_TABLE)
        cells = (
            (n, cells[: WIDEST + 1], set())
            for n, cells in csv_files.rows(text, lambda n: _l("Line %(n)d cannot be read.", n=n))
        )
    return _rows(cells, max_rows)


_NOT_A_TABLE = _l("The file is neither an Excel workbook (.xlsx) nor a CSV file.")


def _refused(message) -> Invalid:
    return Invalid(message, errors={"file": [message]})


def _too_many_rows(max_rows: int) -> Invalid:
    return _refused(
        _l("A file may have at most %(n)s rows of bookings; split it into several.",
           n=f"{max_rows:,}")
    )  # fmt: skip


def _rows(cells, max_rows: int) -> list[Row]:
    """Rows from ``(number, cells, formula columns)``: the first is the header. The cells of
    a row stop at column ``WIDEST + 1``: one more means the row goes on past ``WIDEST``."""
    header = next(cells, None)
    if header is None:
        raise _refused(_l("The file is empty."))
    keys = _columns(header[1])
    rows = []
    for number, values, formulas in cells:
        if len(rows) == max_rows:
            raise _too_many_rows(max_rows)
        row = Row(number, {})
        unheaded = []  # columns with a value and no heading, numbered from 1
        for index, value in enumerate(values[:WIDEST]):
            if index >= len(keys) or keys[index] is None:
                if value:
                    unheaded.append(index + 1)
                continue
            if index in formulas:
                row.problems[keys[index]] = [
                    _l("A formula (%(text)s) is not calculated here: type its value.", text=value)
                ]
            elif value:
                _put(row.body, keys[index], value)
        if len(values) > WIDEST:
            row.problems["_schema"] = [
                _l("Columns from %(first)d on have values but no heading; the template has "
                   "%(n)d columns.", first=unheaded[0] if unheaded else WIDEST + 1,
                   n=len(COLUMNS))
            ]  # fmt: skip
        elif len(unheaded) == 1:
            row.problems["_schema"] = [
                _l("Column %(n)d has a value but no heading.", n=unheaded[0])
            ]
        elif unheaded:
            row.problems["_schema"] = [
                _l("Columns %(first)d to %(last)d have values but no heading.",
                   first=unheaded[0], last=unheaded[-1])
            ]  # fmt: skip
        rows.append(row)
    if not rows:
        raise _refused(_l("The file has headings but no bookings."))
    return _nested(rows)


def _columns(headings: list[str]) -> list[str | None]:
    """The field of each column, by its heading; ``Invalid`` for headings that are not the
    template's, a column given twice, a required one missing or headings past ``WIDEST``
    (the first ``HEADING_PROBLEMS`` wrong headings are named, the rest counted)."""
    known = {}
    for column in COLUMNS:
        for name in (column.heading, column.zh, column.en, column.key):
            known[_folded(name)] = column.key
    keys: list[str | None] = []
    problems = []
    for index, heading in enumerate(headings[:WIDEST]):
        key = known.get(_folded(heading)) if heading else None
        if heading and key is None:
            problems.append(
                _l("Column %(n)d: “%(heading)s” is not a heading of the template.",
                   n=index + 1, heading=heading[:60])
            )  # fmt: skip
        elif key is not None and key in keys:
            problems.append(
                _l("Column %(n)d: “%(heading)s” is given twice.", n=index + 1,
                   heading=heading[:60])
            )  # fmt: skip
        keys.append(key)
    if len(problems) > HEADING_PROBLEMS:
        more = len(problems) - HEADING_PROBLEMS
        problems[HEADING_PROBLEMS:] = [_l("And %(n)d more problems with the headings.", n=more)]
    if len(headings) > WIDEST:
        problems.append(
            _l("The first row goes on past column %(last)d; the template has %(n)d columns.",
               last=WIDEST, n=len(COLUMNS))
        )  # fmt: skip
    missing = [c.heading for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        problems.append(_l("Columns missing: %(names)s.", names="; ".join(missing)))
    if problems:
        raise Invalid(
            _l("The first row must hold the template's headings; download the template."),
            errors={"file": problems},
        )
    return keys


def _folded(text: str) -> str:
    return "".join(text.split()).casefold()


def _put(body: dict, key: str, value: str) -> None:
    parts = key.split(".")
    node = body
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if parts[-1] in INTEGERS and is_whole_number(value):
        value = whole_number(value)
    node[parts[-1]] = value


def _nested(rows: list[Row]) -> list[Row]:
    """Container lines numbered ``0``, ``1`` become a list, as the API takes them."""
    for row in rows:
        lines = row.body.get("containers")
        if isinstance(lines, dict):
            row.body["containers"] = [lines[k] for k in sorted(lines)]
    return rows


def _xlsx_rows(data: bytes, max_rows: int):
    """``(row number, cell texts, indexes of formula cells)`` of the workbook's first sheet."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        unpacked = sum(info.file_size for info in package.infolist())
        content_types = (
            package.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refused(_l("The workbook is damaged and cannot be read.")) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or (
        b"macroEnabled" in content_types
    ):
        raise _refused(
            _l("A workbook with macros (.xlsm) is not accepted: save it as .xlsx (without "
               "macros) or CSV.")
        )  # fmt: skip
    if "xl/workbook.bin" in names:
        raise _refused(_l("A binary workbook (.xlsb) is not accepted: save it as .xlsx or CSV."))
    if "xl/workbook.xml" not in names:
        raise _refused(_NOT_A_TABLE)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refused(_l("The workbook is too large once unpacked."))
    return _sheet_rows(data, max_rows)


def _sheet_rows(data: bytes, max_rows: int):
    import openpyxl  # only an upload needs it

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged package
        raise _refused(_l("The workbook is damaged and cannot be read.")) from None
    try:
        yield from _cells(book.worksheets[0], max_rows)
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - a sheet damaged past its first rows
        raise _refused(_l("The workbook is damaged and cannot be read.")) from None
    finally:
        book.close()


def _cells(sheet, max_rows: int):
    """The sheet's rows, every one counted, blank or not: a workbook may declare a sheet of a
    million rows and 16,384 columns, so the declared size is dropped and only ``WIDEST + 1``
    columns are read (enough to know a row goes further)."""
    sheet.reset_dimensions()
    seen = 0
    for physical, cells in enumerate(sheet.iter_rows(max_col=WIDEST + 1), start=1):
        if physical > max_rows + 1 + BLANK_ROWS:
            raise _too_many_rows(max_rows)
        values, formulas, number = [], set(), None
        for index, cell in enumerate(cells):
            number = getattr(cell, "row", None) or number  # an empty cell has no row
            values.append(_text(cell.value))
            if getattr(cell, "data_type", None) == "f":
                formulas.add(index)
        while values and not values[-1]:
            values.pop()
        if not values or number is None:
            continue
        seen += 1
        yield number, values, formulas
        if seen > max_rows + 1:  # the header and a row too many: enough to refuse the file
            return


def _text(value) -> str:
    """A cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


# ---- the template ----------------------------------------------------------------------


def template_rows(example: dict | None) -> list[list[str]]:
    """The header row and, given ``example`` (values by column key), one example row."""
    rows = [[column.heading for column in COLUMNS]]
    if example:
        rows.append([str(example.get(column.key, "")) for column in COLUMNS])
    return rows


def template_csv(example: dict | None) -> bytes:
    """The template as CSV (UTF-8 with a BOM, so that Excel reads the Chinese)."""
    return csv_bytes(template_rows(example))


def template_xlsx(example: dict | None, sheet_title: str) -> bytes:
    """The template as an XLSX workbook: the header row (bold, frozen), the example row,
    every cell text, so that Excel keeps leading zeros and long numbers as typed."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in template_rows(example):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.heading) + 6)
        sheet.column_dimensions[letter].number_format = "@"
        for cell in sheet[letter]:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
