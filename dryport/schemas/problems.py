"""The shape of every API error (RFC 9457 problem details), for the OpenAPI document."""

from marshmallow import INCLUDE, Schema, fields

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(Schema):
    """An error: what happened (``title``), to this request (``detail``), and for a 422 what
    is wrong with each field (``errors``). Some problems carry more members, e.g. the free
    TEU of a departure that a booking did not fit."""

    type = fields.String(
        metadata={"description": "A URI naming the kind of problem, e.g. about:blank"}
    )
    title = fields.String(metadata={"description": "Short, in the language asked for"})
    status = fields.Integer(metadata={"description": "The HTTP status"})
    detail = fields.String(metadata={"description": "What went wrong with this request"})
    instance = fields.String(metadata={"description": "The path that was requested"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field (dotted path), for 422"},
    )
    available_teu = fields.Float(
        metadata={"description": "409 for lack of capacity: the TEU still free"}
    )
    available_kg = fields.Float(
        metadata={"description": "409 for lack of weight capacity: the kg still free"}
    )
    cutoff_at = fields.String(
        metadata={"description": "409 past the cut-off: when it was", "format": "date-time"}
    )
    bookings = fields.List(
        fields.String(),
        metadata={"description": "409 on a departure: the references that stand in the way"},
    )

    class Meta:
        ordered = True
        unknown = INCLUDE  # a problem may carry members of its own
