"""Every form of the site shows each error beside its own input: the input is marked
``aria-invalid`` and described by the message, whatever the form and however the error is
nested; nothing is reported under a name the page has no input for."""

from html.parser import HTMLParser

import pytest
from flask import template_rendered

from dryport.models import Role
from tests.conftest import csrf_token

CONTROLS = {"input", "select", "textarea"}


class _Page(HTMLParser):
    """The page's form controls by name, and the text of every element with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: dict[str, list[dict]] = {}
        self.texts: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in CONTROLS and attrs.get("name"):
            self.controls.setdefault(attrs["name"], []).append(attrs)
        if tag not in {"input", "br", "meta", "link", "img"}:
            self._open.append(attrs.get("id") or "")
            if attrs.get("id"):
                self.texts.setdefault(attrs["id"], "")

    def handle_endtag(self, tag):
        if tag not in {"input", "br", "meta", "link", "img"} and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.texts[element_id] += data


@pytest.fixture
def rendered(app):
    """The ``errors`` each rendered template was given."""
    seen: list[dict] = []

    def record(sender, template, context, **extra):
        if isinstance(context.get("errors"), dict):
            seen.append(context["errors"])

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def assert_beside_inputs(response, rendered) -> None:
    """Each error reaches the user beside an input of that name, marked invalid."""
    assert response.status_code in (400, 409, 422), response.status_code
    errors = {k: v for k, v in rendered[-1].items() if k != "_schema"}
    assert errors, "the form was refused with no error on any field"
    page = _Page(response.get_data(as_text=True))
    for name, messages in errors.items():
        controls = page.controls.get(name)
        assert controls, f"no input named {name!r} for {messages}"
        marked = [c for c in controls if c.get("aria-invalid") == "true"]
        assert marked, f"{name!r} is not marked aria-invalid"
        described = " ".join(
            page.texts.get(i, "") for c in marked for i in c.get("aria-describedby", "").split()
        )
        for message in messages:
            assert message in described, f"{name!r}: {message!r} is not beside it"


def _post(client, path, data, token_from=None):
    page = client.get(token_from or path)
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


BLANK_BOOKING = {
    "departure_id": "",
    "origin_station": "",
    "consignee.name": "",
    "consignee.address": "",
    "notify_party.name": "",
    "notify_party.address": "",
    "cargo.description": "",
    "cargo.hs_code": "",
    "cargo.gross_weight_kg": "",
    "cargo.reefer_temperature_c": "",
    "cargo.packages.count": "",
    "cargo.packages.kind": "",
    "cargo.packages.marks": "",
    "cargo.net_weight_kg": "",
    "cargo.has_dangerous_goods": "false",
    "cargo.dangerous_goods.un_number": "",
    "cargo.dangerous_goods.class": "",
    "cargo.dangerous_goods.packing_group": "",
    "cargo.dangerous_goods.proper_shipping_name": "",
    "cargo.dangerous_goods.emergency_contact": "",
    "destination": "",
    "customs.declaration_no": "",
    "customs.invoice_value": "",
    "customs.currency": "",
    "containers.0.size_type": "",
    "containers.0.quantity": "",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_blank_booking_form_marks_each_required_field(
    client, auth, make_user, rendered, lang, make_departure
):
    departure = make_departure("EAST")
    auth.login(make_user(Role.SHIPPER, locale=lang).email)
    response = _post(
        client,
        "/bookings/new",
        {**BLANK_BOOKING, "departure_id": str(departure.id), "origin_station": "HB",
         "containers.0.size_type": "22G1", "containers.0.quantity": "1"},
    )  # fmt: skip
    assert_beside_inputs(response, rendered)
    errors = rendered[-1]
    for name in ("consignee.name", "consignee.address", "cargo.description", "cargo.hs_code"):
        assert name in errors
    required = "This field is required." if lang == "en" else "此字段为必填项。"
    assert required in errors["consignee.name"]


def test_every_field_of_an_empty_booking_is_marked(client, auth, make_user, rendered):
    auth.login(make_user(Role.SHIPPER).email)
    response = _post(client, "/bookings/new", BLANK_BOOKING)
    assert_beside_inputs(response, rendered)
    assert {"departure_id", "origin_station", "consignee.name"} <= rendered[-1].keys()


def test_the_focus_goes_to_the_first_invalid_field(client, auth, make_user):
    auth.login(make_user(Role.SHIPPER).email)
    assert "js/forms.js" not in client.get("/bookings/new").get_data(as_text=True)
    page = _post(client, "/bookings/new", BLANK_BOOKING).get_data(as_text=True)
    assert "js/forms.js" in page
    with client.get("/static/js/forms.js") as response:
        script = response.get_data(as_text=True)
    assert '[aria-invalid="true"]' in script and ".focus()" in script


def test_a_blanked_amendment_marks_its_fields(client, auth, make_user, make_booking, rendered):
    user = make_user(Role.SHIPPER)
    booking = make_booking(user.company)
    auth.login(user.email)
    path = f"/bookings/{booking.reference}/amend"
    response = _post(
        client, path, {**BLANK_BOOKING, "version": str(booking.version)} | _no_parties()
    )
    assert_beside_inputs(response, rendered)
    assert "cargo.hs_code" in rendered[-1]


def _no_parties():
    return {"containers.0.size_type": "22G1", "containers.0.quantity": "1"}


def test_the_sign_in_and_registration_forms(client, rendered):
    assert_beside_inputs(_post(client, "/register", {"email": "x"}), rendered)
    assert_beside_inputs(_post(client, "/login", {}), rendered)


@pytest.mark.parametrize(
    "path, data",
    [
        ("/admin/stations/ZP", {"name_zh": "", "feeder_hours": "99"}),
        ("/admin/routes/EAST", {"name_zh": "", "document_type": "X"}),
        ("/admin/routes/EAST/legs", {"mode": "", "origin_zh": ""}),
        ("/admin/routes/EAST/legs/1", {"mode": "RAIL", "origin_zh": "", "action": "save"}),
        ("/admin/users/new", {"email": "nope", "role": "PILOT"}),
    ],
)
def test_the_administration_forms(client, auth, make_user, rendered, path, data):
    auth.login(make_user(Role.ADMIN).email)
    response = _post(client, path, data, token_from="/admin/stations")
    assert_beside_inputs(response, rendered)


def test_the_account_forms(client, auth, make_user, rendered):
    auth.login(make_user(Role.SHIPPER).email)
    assert_beside_inputs(_post(client, "/account/tokens", {"name": ""}), rendered)
    assert_beside_inputs(_post(client, "/account/webhooks", {"url": "ftp://x"}), rendered)


def test_the_departure_forms(client, auth, make_user, make_departure, rendered):
    auth.login(make_user(Role.OPERATOR).email)
    assert_beside_inputs(_post(client, "/operations/departures/new", {"route": ""}), rendered)
    departure = make_departure("EAST")
    path = f"/operations/departures/{departure.id}/edit"
    response = _post(client, path, {"version": str(departure.version), "capacity_teu": "x"})
    assert_beside_inputs(response, rendered)


def test_the_clerks_check_page(client, auth, make_user, make_booking, rendered):
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company, lines=(("22G1", 1),))
    auth.login(make_user(Role.CLERK, station="HB").email)
    path = f"/station/bookings/{booking.reference}/check"
    data = {"version": str(booking.version), "action": "confirm",
            "containers.0.size_type": "22G1", "containers.0.number": "CSQU3054384"}  # fmt: skip
    assert_beside_inputs(_post(client, path, data), rendered)
