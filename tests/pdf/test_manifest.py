"""The departure manifest (装车清单): every container of the departure's held bookings, its
totals reconciling with what the departure holds, as CSV and as a PDF whose text holds it
all; and the departure's print job, the manifest first and then every waybill as a copy."""

import csv
import io
import subprocess
from decimal import Decimal

from pypdf import PdfReader

from dryport.models import Role, SealedBy
from dryport.pdf.manifest import ROWS_PER_PAGE
from dryport.services import bookings, manifest
from dryport.services.containers import format_teu


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=pdf, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _totals(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows if row and row[0].startswith("总")}


def test_the_csv_totals_equal_the_held_teu_and_the_sum_of_vgms(
    db_session,
    confirmed,
    make_departure,
    make_booking,
):
    departure = make_departure("XAEU")
    loaded = [
        confirmed("XAEU", departure=departure, un_number="UN1263", dg_class="3",
                  dg_packing_group="II", dg_proper_shipping_name="PAINT",
                  dg_emergency_contact="+86 915 000 0000"),
        confirmed("XAEU", departure=departure, lines=(("42G1", 2),)),
    ]  # fmt: skip
    wagon = loaded[1].containers[0]
    wagon.wagon_no, wagon.sealed_by = "63012345", SealedBy.CUSTOMS  # as the railway told
    waiting = make_booking(confirmed.shipper.company, departure=departure, lines=(("22G1", 3),))
    cancelled = make_booking(confirmed.shipper.company, departure=departure)
    bookings.cancel_booking(db_session, confirmed.shipper, cancelled.reference)
    db_session.commit()
    db_session.refresh(departure)

    rows = _csv(manifest.as_csv(manifest.departure_manifest(db_session, departure.id)))
    containers = [c for b in loaded for c in b.containers]
    listed = [row for row in rows[2:] if len(row) == len(manifest.HEADER)]
    assert {row[1] for row in listed} - {""} == {c.number for c in containers}
    not_loaded = [row for row in listed if row[1] == ""]
    assert [(row[7], row[2], row[10]) for row in not_loaded] == [(waiting.reference, "3×22G1", "3")]
    assert cancelled.reference not in {row[7] for row in listed}
    totals = _totals(rows)
    assert Decimal(totals["总 TEU total TEU"][3]) == departure.held_teu == Decimal(10)
    assert int(totals["总 VGM total VGM kg"][3]) == sum(c.vgm_kg for c in containers)
    assert int(totals["总 TEU total TEU"][2]) == len(containers) == 4
    on_wagon = next(row for row in listed if row[1] == wagon.number)
    assert on_wagon[0] == "63012345" and on_wagon[4] == "海关 customs"
    dg = next(row for row in listed if row[7] == loaded[0].reference)
    assert dg[6] == "UN1263 / 3"
    destination = loaded[0].destination_place
    assert dg[9] == f"{destination.name_zh} {destination.name_en} ({destination.code})"
    per_type = {row[1]: row for row in rows if row and row[0] == "" and len(row) == 4}
    assert per_type["42G1"][2:] == ["2", "4"] and per_type["45G1"][2:] == ["1", "2"]


def test_a_departure_with_nothing_held_has_an_empty_manifest(db_session, make_departure):
    departure = make_departure("EAST")
    found = manifest.departure_manifest(db_session, departure.id)
    assert (found.rows, found.total_teu, found.total_vgm_kg) == ([], 0, 0)
    assert "总 TEU Total TEU" in pdftotext(manifest.render_pdf(found))
    assert _totals(_csv(manifest.as_csv(found)))["总 TEU total TEU"][3] == "0"


def test_the_pdf_holds_every_container_and_the_totals(
    db_session,
    confirmed,
    make_departure,
):
    departure = make_departure("XAEU")
    booking = confirmed("XAEU", departure=departure, lines=(("22G1", 60),))
    found = manifest.departure_manifest(db_session, departure.id)
    pdf = manifest.render_pdf(found)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2 > 60 // ROWS_PER_PAGE  # the table goes on, its header repeated
    assert all(p.mediabox.width > p.mediabox.height for p in pages)  # landscape
    text = pdftotext(pdf)
    assert all(c.number in text for c in booking.containers)
    assert text.count("箱号 Container") == 2 and "Page 2 of 2" in text
    assert departure.service_no in text and "Departs (Beijing time)" in text
    vgm = sum(c.vgm_kg for c in booking.containers)
    lines = {" ".join(line.split()[:-1]): line.split()[-1] for line in text.splitlines() if line}
    assert lines["总 VGM Total VGM kg"] == f"{vgm:,}"
    assert lines["总 TEU Total TEU"] == format_teu(departure.held_teu) == "60"
    assert lines["22G1 箱数 containers / TEU 60 /"] == "60"


def test_who_may_have_the_manifest(
    client,
    auth,
    db_session,
    confirmed,
    make_user,
    api_token,
):
    booking = confirmed("EAST")
    base = f"/api/v1/departures/{booking.departure_id}/manifest"
    operator = api_token(make_user(Role.OPERATOR).email)
    for headers, status in [
        (operator, 200),
        (api_token(confirmed.shipper.email), 403),
        (api_token(make_user(Role.CLERK, station="HB").email), 403),
    ]:
        assert client.get(base + ".pdf", headers=headers).status_code == status
        assert client.get(base + ".csv", headers=headers).status_code == status
    assert client.get("/api/v1/departures/999999/manifest.csv", headers=operator).status_code == 404
    csv_reply = client.get(base + ".csv", headers=operator)
    assert csv_reply.mimetype == "text/csv" and booking.reference in csv_reply.get_data(True)

    auth.login(make_user(Role.OPERATOR).email)
    page = client.get(f"/operations/departures/{booking.departure_id}").get_data(as_text=True)
    web = f"/operations/departures/{booking.departure_id}/manifest"
    assert web + ".pdf" in page and web + ".csv" in page
    assert client.get(web + ".pdf").mimetype == "application/pdf"
    assert booking.reference in client.get(web + ".csv").get_data(as_text=True)
    assert client.get("/operations/departures/999999/manifest.pdf").status_code == 404


def test_the_print_job_is_the_manifest_then_every_waybill_as_a_copy(
    client,
    db_session,
    confirmed,
    make_departure,
    make_user,
    api_token,
):
    departure = make_departure("WHSEA")
    found = [confirmed("WHSEA", departure=departure) for _ in range(3)]
    operator = api_token(make_user(Role.OPERATOR).email)
    reply = client.get(f"/api/v1/departures/{departure.id}/waybills.pdf", headers=operator)
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(reply.data)).pages
    assert len(pages) == 4
    assert "装车清单" in pages[0].extract_text()
    for page, booking in zip(pages[1:], found, strict=True):
        text = page.extract_text()
        assert booking.waybill_no in text and "COPY" in text and "ORIGINAL" not in text
