"""The confirmed booking the waybill tests print, with its waybill."""

import pytest

from dryport.models import Role, VgmMethod
from dryport.services import loading
from dryport.services.containers import make_number


@pytest.fixture
def confirmed(db_session, make_user, make_booking, make_departure):
    """A confirmed booking of a route, with its waybill."""
    shipper = make_user(Role.SHIPPER)
    clerks = {"HB": make_user(Role.CLERK, station="HB", name="汉滨业务员")}
    counter = iter(range(1, 1000))

    def make(route="XAEU", lines=(("22G1", 1), ("45G1", 1)), company=None, departure=None, **kw):
        shipment = (
            "un_number",
            "dg_class",
            "reefer_temp_c",
            "destination",
            "dg_packing_group",
            "dg_proper_shipping_name",
            "dg_emergency_contact",
            "package_marks",
            "package_count",
            "package_kind",
        )
        cargo = {k: kw.pop(k) for k in shipment if k in kw}
        origin = kw.pop("origin", "HB")
        departure = departure or make_departure(route, **kw)
        booking = make_booking(
            company or shipper.company,
            departure=departure,
            origin=origin,
            lines=lines,
            notify_name="Notify GmbH",
            notify_address="Duisburg",
            **cargo,
        )
        units = sum(quantity for _, quantity in lines)
        cargo = int(booking.gross_weight_kg) // units  # weighed as declared
        rows = [
            {
                "number": make_number("TGH", next(counter)),
                "size_type": size_type,
                "seal": f"SEAL{n}{size_type}",
                "tare_kg": 2300 if size_type[0] == "2" else 3750,
                "vgm_kg": (2300 if size_type[0] == "2" else 3750) + cargo,
                "vgm_method": VgmMethod.METHOD_1,
                "vgm_certified_by": "Wang Fang",
            }
            for size_type, quantity in lines
            for n in range(quantity)
        ]
        if origin not in clerks:
            clerks[origin] = make_user(Role.CLERK, station=origin)
        loading.confirm_load(db_session, clerks[origin], booking.reference, rows)
        db_session.commit()
        return booking

    make.shipper = shipper
    return make
