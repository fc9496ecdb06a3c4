"""Bulk booking upload: the upload as the OpenAPI document describes it, and the answer."""

from marshmallow import Schema, fields

from dryport.services.booking_files import MAX_BYTES

_FILE = (
    "An XLSX workbook (its first sheet) or a CSV file (UTF-8 with or without BOM, or GB18030),"
    " recognised by its content, in the columns of GET /bookings/import/template.xlsx: one"
    " header row (a heading as in the template, 班列编号 / Departure ID, or either half of it,"
    " or the field's name), then a booking a row, numbered as the spreadsheet numbers them"
    f" (the header is row 1); at most {MAX_BYTES:,} bytes (413 above) and IMPORT_MAX_ROWS"
    " rows (10,000 by default). Macro-enabled (.xlsm), binary (.xlsb) and .xls workbooks are"
    " refused; formulas are never calculated (a row with one is refused)"
)

#: The body of an upload: a multipart form with the file and whether it is a dry run.
IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": _FILE},
                    "dry_run": {
                        "type": "string",
                        "enum": ["true", "false"],
                        "default": "true",
                        "description": "true (the default): check every row and write "
                        "nothing; false: create every row's booking, or none when any row "
                        "is refused",
                    },
                },
            },
        },
    },
}


class ImportRowSchema(Schema):
    row = fields.Integer(metadata={"description": "The row's number in the file (header: 1)"})
    ok = fields.Boolean(
        metadata={"description": "Whether the row can be booked, after the rows above it"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by field, named as the template's columns' field "
                  "names (cargo.hs_code, containers.0.quantity); _schema: the row as a whole"},
    )  # fmt: skip
    reference = fields.String(
        allow_none=True,
        metadata={"description": "The booking created (a real run that created the file)"},
    )


class ImportResultSchema(Schema):
    rows = fields.List(fields.Nested(ImportRowSchema))
    created = fields.Integer(
        metadata={"description": "Bookings created: 0 for a dry run or a refused file"}
    )
