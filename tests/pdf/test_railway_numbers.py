"""The railway's numbers on the papers: each container's wagon and railway waybill number
(货票号) in the container table of every route document, beside the wagon in box 7 of the
CIM/SMGS note, and in the manifest (CSV and PDF); set cleanly, nothing overlapping."""

# ruff: noqa: F811 (the fixtures of the route documents' tests, imported, are parameters here)

import pytest

from dryport.services import manifest
from tests.pdf.test_manifest import _csv, pdftotext
from tests.pdf.test_route_documents import (  # noqa: F401 (fixtures among them)
    _assert_set_cleanly,
    _in_box,
    _pdf,
    _save_png,
    _text,
    _words,
    artefacts,
    full,
    needs_poppler,
)


def _numbered(db_session, booking):
    first, second = booking.containers
    first.wagon_no, first.railway_waybill_no = "1560123", "61004217"
    second.wagon_no, second.railway_waybill_no = "1560124", "61004218"
    db_session.commit()
    return first, second


@needs_poppler
def test_the_cim_smgs_note_names_the_railway_waybill_beside_each_wagon(
    db_session, full, tmp_path, artefacts
):
    booking = full("XAEU")
    _numbered(db_session, booking)
    pdf = _pdf(db_session, booking)
    _save_png(pdf, artefacts, "xaeu-railway-numbers")
    text = " ".join(_text(pdf, tmp_path).split())
    assert "1560123 / 61004217" in text and "1560124 / 61004218" in text
    assert "货票号 Railway waybill no." in text
    words = _words(pdf, tmp_path)
    assert _in_box(words, ["7", "车辆"], "1560123")
    _assert_set_cleanly(words)


@needs_poppler
@pytest.mark.parametrize("route", ["EAST", "WHSEA"])
def test_the_container_table_has_the_railway_waybill_column(
    db_session, full, tmp_path, artefacts, route
):
    booking = full(route)
    first, _second = _numbered(db_session, booking)
    pdf = _pdf(db_session, booking)
    _save_png(pdf, artefacts, f"{route.lower()}-railway-numbers")
    words = _words(pdf, tmp_path)
    _assert_set_cleanly(words)
    heading = next(w for w in words if w[0] == "货票号")
    value = next(w for w in words if w[0] == "61004217")
    number = next(w for w in words if w[0] == first.number)
    assert abs(value[1] - heading[1]) < 3  # in the column under its heading
    assert abs(value[2] - number[2]) < 3  # on the container's row


@needs_poppler
def test_without_railway_waybills_the_table_has_no_such_column(db_session, full, tmp_path):
    booking = full("EAST")
    text = " ".join(_text(_pdf(db_session, booking), tmp_path).split())
    assert "货票号" not in text


@needs_poppler
def test_the_longest_railway_numbers_stay_in_their_cells(db_session, full, tmp_path, artefacts):
    booking = full("XAEU")
    for container in booking.containers:
        container.seal_no, container.wagon_no = "S" * 20, "9" * 12
        container.railway_waybill_no = "W" * 20
    db_session.commit()
    pdf = _pdf(db_session, booking)
    _save_png(pdf, artefacts, "xaeu-railway-numbers-longest")
    words = _words(pdf, tmp_path)
    _assert_set_cleanly(words)
    printed = {w[0] for w in words}
    assert "W" * 20 in printed and "9" * 12 in printed


def test_the_manifest_csv_has_the_railway_waybill(db_session, confirmed, make_departure):
    departure = make_departure("XAEU")
    booking = confirmed("XAEU", departure=departure)
    first, _second = booking.containers
    first.wagon_no, first.railway_waybill_no = "1560123", "61004217"
    db_session.commit()
    rows = _csv(manifest.as_csv(manifest.departure_manifest(db_session, departure.id)))
    assert rows[1][0] == "车号 wagon" and rows[1][-1] == "货票号 railway waybill"
    listed = {row[1]: row for row in rows[2:] if len(row) == len(manifest.HEADER)}
    assert (listed[first.number][0], listed[first.number][-1]) == ("1560123", "61004217")
    assert listed[_second.number][-1] == ""


@needs_poppler
def test_the_manifest_pdf_has_the_railway_waybill(db_session, confirmed, make_departure, artefacts):
    departure = make_departure("XAEU")
    booking = confirmed("XAEU", departure=departure)
    first = booking.containers[0]
    first.wagon_no, first.railway_waybill_no = "1560123", "61004217"
    booking.containers[1].wagon_no, booking.containers[1].railway_waybill_no = "9" * 12, "8" * 20
    db_session.commit()
    pdf = manifest.render_pdf(manifest.departure_manifest(db_session, departure.id))
    _save_png(pdf, artefacts, "manifest-railway-numbers")
    text = pdftotext(pdf)
    row = next(line for line in text.splitlines() if first.number in line)
    assert "1560123" in row and "61004217" in row
    assert "货票号 Rly waybill" in text
    assert "8" * 20 in text and "9" * 12 in text  # the longest, whole
