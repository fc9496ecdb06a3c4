"""Documents attached to a booking: the upload's fields (web form and API alike) and the
document as the API shows it."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, pre_load

from dryport.models import DocumentKind
from dryport.services.documents import FORMATS, MAX_BYTES, MAX_MB


class DocumentUploadSchema(Schema):
    """``kind`` and ``file`` of a multipart upload; the file itself is judged by the service
    (its size, what its content is)."""

    kind = fields.Enum(
        DocumentKind,
        required=True,
        error_messages={"unknown": _l("Choose the kind of document from the list.")},
    )
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})

    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        """A browser sends every input: a kind left unchosen, or a file part without a file
        name (no file chosen), counts as not given."""
        data = dict(data)
        if data.get("kind") == "":
            del data["kind"]
        upload = data.get("file")
        if upload is not None and not getattr(upload, "filename", None):
            del data["file"]
        return data


#: The multipart body of an upload, for the OpenAPI document.
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["kind", "file"],
                "properties": {
                    "kind": {"type": "string", "enum": [k.name for k in DocumentKind]},
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": f"A PDF, JPEG or PNG (recognised by its content, not "
                        f"its name) of at most {MAX_BYTES:,} bytes ({MAX_MB} MiB); larger is a 413",
                    },
                },
            },
            "encoding": {"file": {"contentType": ", ".join(t for _s, t, _e in FORMATS)}},
        }
    },
}


class BookingDocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(DocumentKind)
    file_name = fields.String()
    content_type = fields.String(
        metadata={
            "description": "What the content was recognised as",
            "enum": [t for _s, t, _e in FORMATS],
        }
    )
    size_bytes = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Function(lambda d: d.uploaded_by.name if d.uploaded_by else None)
    uploaded_at = fields.AwareDateTime()
    url = fields.Function(
        lambda d: url_for(
            "api_documents.download_document",
            reference=d.booking.reference,
            document_id=d.id,
        ),
        metadata={"description": "Where the file is read"},
    )
