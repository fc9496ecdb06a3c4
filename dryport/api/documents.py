"""Documents attached to a booking: upload (multipart), list, download, remove."""

from flask import request, url_for
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, ValidationError

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.hygiene import upload_limit
from dryport.responses import attachment_response
from dryport.schemas.documents import UPLOAD_BODY, BookingDocumentSchema, DocumentUploadSchema
from dryport.services import documents
from dryport.services.errors import Invalid

blp = Blueprint("api_documents", __name__, description="Documents attached to a booking")

LOCATION = {"Location": {"description": "Where the document is read", "schema": {"type": "string"}}}
FILE = {
    "200": {
        "description": "The file, as an attachment, of the type its content was recognised as",
        "headers": {
            "Content-Disposition": {
                "description": "attachment; filename=\"...\"; filename*=UTF-8''...",
                "schema": {"type": "string"},
            },
            "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
        },
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for _signature, media_type, _extensions in documents.FORMATS
        },
    }
}


@blp.route("/bookings/<reference:reference>/documents", methods=["POST"])
@upload_limit(documents.MAX_REQUEST_BYTES)
@token_required(*documents.EDITORS)
@blp.doc(security=BEARER, requestBody=UPLOAD_BODY)
@blp.response(201, BookingDocumentSchema, headers=LOCATION)
@problems(404, 413, 422, descriptions={413: "The file is larger than 10 MiB"})
def add_document(reference):
    """Attach a PDF, JPEG or PNG to a booking (multipart: kind, file)"""
    fields = {**request.form.to_dict(), **request.files.to_dict()}
    try:
        data = DocumentUploadSchema().load(fields, unknown=EXCLUDE)
    except ValidationError as error:
        raise Invalid(errors=error.messages) from None
    upload = data["file"]
    document = documents.add_document(
        db.session, current_api_user(), reference, data["kind"], upload.filename, upload.stream
    )
    location = url_for(".download_document", reference=reference, document_id=document.id)
    return document, 201, {"Location": location}


@blp.route("/bookings/<reference:reference>/documents")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, BookingDocumentSchema(many=True))
@problems(404)
def list_documents(reference):
    """The documents of a booking, oldest first"""
    return documents.list_documents(db.session, current_api_user(), reference)


@blp.route("/bookings/<reference:reference>/documents/<id:document_id>")
@token_required()
@blp.doc(security=BEARER, responses=FILE)
@problems(404)
def download_document(reference, document_id):
    """The file of one document"""
    document = documents.get_document(db.session, current_api_user(), reference, document_id)
    return attachment_response(document.data, document.content_type, document.file_name)


@blp.route("/bookings/<reference:reference>/documents/<id:document_id>", methods=["DELETE"])
@token_required(*documents.EDITORS)
@blp.doc(security=BEARER)
@blp.response(204)
@problems(404, 409, descriptions={409: "The departure has left"})
def remove_document(reference, document_id):
    """Remove a document, until the booking's departure leaves"""
    documents.remove_document(db.session, current_api_user(), reference, document_id)
    return "", 204
