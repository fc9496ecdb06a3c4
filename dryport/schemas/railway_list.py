"""The railway's loading list: the upload as the OpenAPI document describes it, and what the
API answers once the list is taken."""

from marshmallow import Schema, fields

from dryport.services.railway_list import MAX_BYTES, MAX_LINES

_FILE = (
    f"CSV lines of container number, wagon number, railway waybill number (UTF-8 with or"
    f" without BOM, or GB18030); an optional header row (箱号,车号,运单号 or"
    f" container,wagon,railway_waybill); at most {MAX_LINES:,} lines and {MAX_BYTES:,} bytes"
)

#: The body of an upload: the CSV itself, or a multipart form with the CSV as ``file``.
RAILWAY_LIST_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string", "description": _FILE}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": _FILE}
                },
            },
            "encoding": {"file": {"contentType": "text/csv"}},
        },
    },
}


class RailwayListContainerSchema(Schema):
    number = fields.String()
    wagon_no = fields.String()
    railway_waybill_no = fields.String()
    booking = fields.String(metadata={"description": "The booking's reference"})


class RailwayListResultSchema(Schema):
    matched = fields.Integer(metadata={"description": "Containers the list named"})
    changed = fields.Integer(
        metadata={"description": "Of those, the containers whose wagon or railway waybill changed"}
    )
    containers = fields.List(fields.Nested(RailwayListContainerSchema))
