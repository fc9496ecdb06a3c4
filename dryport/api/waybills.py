"""Waybills as PDF: a booking's (its owner or an operator), a departure's (operators)."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.models import Role
from dryport.responses import pdf_response
from dryport.services import waybills
from dryport.services.access import STAFF
from dryport.services.errors import NotFound

blp = Blueprint("api_waybills", __name__, description="Waybills as PDF")

PDF = {
    "200": {
        "description": "PDF, one A4 page per waybill",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    },
}


@blp.route("/bookings/<reference:reference>/waybill.pdf")
@token_required(Role.SHIPPER, *STAFF)
@blp.doc(security=BEARER, responses=PDF)
@problems(404, descriptions={404: "No waybill (not confirmed yet), or not yours"})
def booking_waybill(reference):
    """The booking's current waybill"""
    waybill = waybills.waybill_for(db.session, current_api_user(), reference)
    return pdf_response(waybills.render_pdf([waybill]), f"{waybill.number}.pdf")


@blp.route("/departures/<id:departure_id>/waybills.pdf")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses=PDF)
@problems(404, descriptions={404: "No such departure, or no waybill on it yet"})
def departure_waybills(departure_id):
    """Every current waybill of a departure, in one PDF"""
    found = waybills.departure_waybills(db.session, departure_id)
    if not found:
        raise NotFound()
    return pdf_response(waybills.render_pdf(found), f"waybills-{departure_id}.pdf")
