"""``POST /api/v1/bookings/import``: a file of bookings, checked by a dry run, then booked all
or none under the rules of ``POST /bookings``; the template; every kind of bad file."""

import codecs
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from dryport.models import Booking, Departure, Role
from dryport.services.booking_files import COLUMNS, MAX_BYTES
from tests.conftest import PDF, destination_of, multipart

PROBLEM = "application/problem+json"
URL = "/api/v1/bookings/import"


def row(departure, **overrides) -> dict:
    """A row's values by column key: one 20 ft box of tea from Hanbin."""
    values = {
        "departure_id": departure.id,
        "origin_station": "HB",
        "destination": destination_of(departure),
        "consignee.name": "Duisburg Intermodal GmbH",
        "consignee.address": "Hafenstraße 1, Duisburg",
        "cargo.description": "Green tea 绿茶",
        "cargo.hs_code": "090210",
        "cargo.packages.count": 800,
        "cargo.packages.kind": "CT",
        "cargo.gross_weight_kg": 18500,
        "containers.0.size_type": "22G1",
        "containers.0.quantity": 1,
    }
    values.update(overrides)
    return values


def table(rows, headings=None) -> list[list]:
    headings = headings or [column.heading for column in COLUMNS]
    keys = [column.key for column in COLUMNS]
    return [headings, *([r.get(key, "") for key in keys] for r in rows)]


def as_csv(rows, encoding="utf-8-sig", headings=None) -> bytes:
    out = io.StringIO()
    import csv

    csv.writer(out).writerows(table(rows, headings))
    return out.getvalue().encode(encoding)


def as_xlsx(rows, headings=None, *, edit=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in table(rows, headings):
        sheet.append(line)
    if edit:
        edit(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, user, data, name="bookings.csv", dry_run="true", lang="en"):
    fields = {} if dry_run is None else {"dry_run": dry_run}
    body, content_type = multipart(fields, {"file": (name, data)})
    return client.post(
        URL, data=body, content_type=content_type,
        headers={**user.headers, "Accept-Language": lang},
    )  # fmt: skip


def bookings_of(db_session, user) -> int:
    db_session.expire_all()
    return db_session.scalar(
        select(func.count()).select_from(Booking).where(Booking.company_id == user.company_id)
    )


def held(db_session, departure) -> float:
    db_session.expire_all()
    return float(db_session.get(Departure, departure.id).held_teu)


@pytest.fixture
def departure(make_departure):
    return make_departure("EAST", capacity=10)


# ---- dry run and all or nothing -------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_dry_run_answers_every_row_and_writes_nothing(
    client, db_session, shipper, departure, kind
):
    rows = [row(departure), row(departure, **{"cargo.hs_code": "0902"}), row(departure)]
    data = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    response = upload(client, shipper, data, f"bookings.{kind}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"] == 0
    assert [(r["row"], r["ok"], r["reference"]) for r in body["rows"]] == [
        (2, True, None), (3, False, None), (4, True, None),
    ]  # fmt: skip
    assert body["rows"][1]["errors"] == {"cargo.hs_code": ["An HS code has 6, 8 or 10 digits."]}
    assert body["rows"][0]["errors"] == {}
    assert bookings_of(db_session, shipper) == 0
    assert held(db_session, departure) == 0


def test_a_real_run_books_every_row(client, db_session, shipper, departure):
    rows = [row(departure), row(departure, **{"containers.0.quantity": 2})]
    response = upload(client, shipper, as_csv(rows), dry_run="false")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"] == 2
    references = [r["reference"] for r in body["rows"]]
    assert all(r["ok"] for r in body["rows"]) and all(references)
    assert bookings_of(db_session, shipper) == 2
    assert held(db_session, departure) == 3
    listed = client.get("/api/v1/bookings", headers=shipper.headers).get_json()
    assert set(references) <= {b["reference"] for b in listed}


def test_one_bad_row_and_a_real_run_books_nothing(client, db_session, shipper, departure):
    rows = [row(departure), row(departure, destination="DEDUI"), row(departure)]
    response = upload(client, shipper, as_xlsx(rows), "b.xlsx", dry_run="false")
    assert response.status_code == 200
    body = response.get_json()
    assert body["created"] == 0
    assert [r["ok"] for r in body["rows"]] == [True, False, True]
    assert "destination" in body["rows"][1]["errors"]
    assert all(r["reference"] is None for r in body["rows"])
    assert bookings_of(db_session, shipper) == 0
    assert held(db_session, departure) == 0


def test_rows_of_one_file_are_counted_together_against_capacity(
    client, db_session, shipper, departure
):
    """Ten TEU free: four rows of three TEU each (a 40 ft and a 20 ft): the fourth is
    refused, and the file books nothing."""
    lines = {"containers.0.size_type": "42G1", "containers.1.size_type": "22G1",
             "containers.1.quantity": 1}  # fmt: skip
    rows = [row(departure, **lines) for _ in range(4)]
    response = upload(client, shipper, as_csv(rows), dry_run="false")
    body = response.get_json()
    assert [r["ok"] for r in body["rows"]] == [True, True, True, False]
    assert body["rows"][3]["errors"]["_schema"]  # says there is no room
    assert body["created"] == 0
    assert held(db_session, departure) == 0
    # Three alone fit, and are booked.
    response = upload(client, shipper, as_csv(rows[:3]), dry_run="false")
    assert response.get_json()["created"] == 3
    assert held(db_session, departure) == 9


def test_the_cutoff_and_unknown_departures_are_refused_by_row(
    client, shipper, make_departure, departure
):
    closed = make_departure("EAST", days=0.5, cutoff_hours=24)  # cut-off passed
    rows = [row(departure), row(closed), row(departure, departure_id=2_000_000)]
    body = upload(client, shipper, as_csv(rows)).get_json()
    assert [r["ok"] for r in body["rows"]] == [True, False, False]
    assert body["rows"][2]["errors"] == {"departure_id": ["No such departure."]}


def test_row_errors_are_in_the_users_language(client, shipper, departure):
    rows = [row(departure, **{"cargo.hs_code": "0902"})]
    body = upload(client, shipper, as_csv(rows), lang="zh").get_json()
    message = body["rows"][0]["errors"]["cargo.hs_code"][0]
    assert message != "An HS code has 6, 8 or 10 digits."  # translated
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_only_shippers_may_upload(client, people, departure):
    for role in (Role.OPERATOR, Role.CLERK, Role.ADMIN):
        response = upload(client, people[role], as_csv([row(departure)]))
        assert response.status_code == 403
    assert client.post(URL).status_code == 401


# ---- headings and encodings -----------------------------------------------------------


@pytest.mark.parametrize(
    "headings",
    [
        [c.zh for c in COLUMNS],
        [c.en for c in COLUMNS],
        [c.key for c in COLUMNS],
        [c.heading.replace(" / ", "/").upper() for c in COLUMNS],
    ],
    ids=["chinese", "english", "field names", "squeezed"],
)
def test_headings_may_be_either_language_or_the_field_names(client, shipper, departure, headings):
    body = upload(client, shipper, as_csv([row(departure)], headings=headings)).get_json()
    assert body["rows"][0]["ok"], body


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030_is_read(client, shipper, departure, encoding):
    rows = [row(departure, **{"consignee.name": "宁波北仑港务有限公司"})]
    data = as_csv(rows, encoding=encoding, headings=[c.zh for c in COLUMNS])
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # really not UTF-8
    body = upload(client, shipper, data).get_json()
    assert body["rows"][0]["ok"], body
    response = upload(client, shipper, data, dry_run="false")
    reference = response.get_json()["rows"][0]["reference"]
    booking = client.get(f"/api/v1/bookings/{reference}", headers=shipper.headers).get_json()
    assert booking["consignee"]["name"] == "宁波北仑港务有限公司"


def test_wrong_headings_are_a_422_naming_them(client, db_session, shipper, departure):
    headings = [c.heading for c in COLUMNS]
    headings[2] = "Ziel"
    response = upload(client, shipper, as_csv([row(departure)], headings=headings))
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problems = " ".join(response.get_json()["errors"]["file"])
    assert "Ziel" in problems and "Destination" in problems  # unknown, and missing
    assert bookings_of(db_session, shipper) == 0


# ---- bad files ------------------------------------------------------------------------


def _refused(response) -> str:
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM
    return " ".join(response.get_json()["errors"]["file"])


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n ", "empty"),
        (PDF, "neither"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
        ("a,b\n".encode("utf-16"), "neither"),
    ],
    ids=["empty", "blank", "pdf named csv", "xls", "utf-16"],
)
def test_a_file_that_is_no_table_is_refused(client, db_session, shipper, data, says):
    assert says in _refused(upload(client, shipper, data, "bookings.csv"))
    assert bookings_of(db_session, shipper) == 0


def test_a_zip_that_is_no_workbook_is_refused(client, shipper):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "hello")
    assert "neither" in _refused(upload(client, shipper, out.getvalue(), "bookings.xlsx"))


def test_a_damaged_workbook_is_refused(client, shipper, departure):
    data = as_xlsx([row(departure)])
    assert "damaged" in _refused(upload(client, shipper, data[: len(data) // 2], "b.xlsx"))


def test_a_macro_enabled_workbook_is_refused(client, db_session, shipper, departure):
    source = io.BytesIO(as_xlsx([row(departure)]))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as package:
        for item in original.infolist():
            package.writestr(item, original.read(item.filename))
        package.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    says = _refused(upload(client, shipper, out.getvalue(), "bookings.xlsx", dry_run="false"))
    assert "macros" in says
    assert bookings_of(db_session, shipper) == 0


def test_formulas_are_read_as_text_and_never_calculated(client, db_session, shipper, departure):
    def formulas(sheet):
        sheet["J2"] = "=400*2"  # packages
        sheet["D2"] = '=HYPERLINK("http://example.com","x")'  # consignee

    data = as_xlsx([row(departure), row(departure)], edit=formulas)
    body = upload(client, shipper, data, "b.xlsx", dry_run="false").get_json()
    first, second = body["rows"]
    assert not first["ok"] and second["ok"]
    assert "=400*2" in first["errors"]["cargo.packages.count"][0]
    assert "HYPERLINK" in first["errors"]["consignee.name"][0]
    assert body["created"] == 0 and bookings_of(db_session, shipper) == 0


def test_more_rows_than_the_limit_are_refused_whole(app, client, db_session, shipper, departure):
    app.config["IMPORT_MAX_ROWS"] = 3
    try:
        says = _refused(upload(client, shipper, as_csv([row(departure)] * 4), dry_run="false"))
        assert "at most 3 rows" in says
        assert upload(client, shipper, as_csv([row(departure)] * 3)).status_code == 200
        says = _refused(upload(client, shipper, as_xlsx([row(departure)] * 4), "b.xlsx"))
        assert "at most 3 rows" in says
    finally:
        app.config["IMPORT_MAX_ROWS"] = 10_000
    assert bookings_of(db_session, shipper) == 0


def test_headings_alone_are_refused(client, shipper):
    assert "no bookings" in _refused(upload(client, shipper, as_csv([])))


def test_a_file_over_the_size_limit_is_a_413_that_says_the_limit(client, db_session, shipper):
    data = b"x" * (MAX_BYTES + 1)
    response = upload(client, shipper, data)
    assert response.status_code == 413 and response.mimetype == PROBLEM
    assert "8 MB" in response.get_json()["detail"]
    huge = b"x" * (MAX_BYTES + 128 * 1024)  # past the request's own limit too
    response = upload(client, shipper, huge)
    assert response.status_code == 413 and response.mimetype == PROBLEM
    assert "8 MB" in response.get_json()["detail"]
    assert bookings_of(db_session, shipper) == 0


def test_no_file_or_a_bad_dry_run_flag_is_a_422(client, shipper, departure):
    body, content_type = multipart({"dry_run": "true"})
    response = client.post(URL, data=body, content_type=content_type, headers=shipper.headers)
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    response = upload(client, shipper, as_csv([row(departure)]), dry_run="maybe")
    assert response.status_code == 422 and "dry_run" in response.get_json()["errors"]


# ---- the template ---------------------------------------------------------------------


def test_the_template_has_both_languages_and_an_example_that_books(
    client, db_session, shipper, departure
):
    response = client.get(f"{URL}/template.xlsx", headers=shipper.headers)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    header, example = [[c.value for c in r] for r in sheet.iter_rows(max_row=2)]
    assert header[0] == "班列编号 / Departure ID"
    assert example[0] == str(departure.id)  # a departure that exists
    body = upload(client, shipper, response.data, "template.xlsx", dry_run="false").get_json()
    assert body["created"] == 1, body
    csv_template = client.get(f"{URL}/template.csv", headers=shipper.headers)
    assert csv_template.status_code == 200
    assert csv_template.data.startswith(codecs.BOM_UTF8)
    assert "班列编号 / Departure ID" in csv_template.data.decode("utf-8-sig").splitlines()[0]


# ---- oversized sheets and rows ---------------------------------------------------------


def _declaring_a_huge_sheet(data: bytes, dimension: str) -> bytes:
    """The workbook with its sheet's declared size replaced, as a hand-edited file has."""
    source, out = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as package:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = content.index(b"<dimension ")
                end = content.index(b"/>", start) + 2
                content = (
                    content[:start] + f'<dimension ref="{dimension}"/>'.encode() + content[end:]
                )
            package.writestr(item, content)
    return out.getvalue()


def test_a_workbook_declaring_a_huge_sheet_is_read_by_its_rows(client, shipper, departure):
    data = _declaring_a_huge_sheet(as_xlsx([row(departure)] * 2), "A1:XFD1048576")
    response = upload(client, shipper, data, "b.xlsx")
    assert response.status_code == 200, response.get_json()
    assert [(r["row"], r["ok"]) for r in response.get_json()["rows"]] == [(2, True), (3, True)]


def test_a_cell_far_down_and_right_is_a_file_too_long(app, client, db_session, shipper, departure):
    def far_cell(sheet):
        sheet["XFD1048576"] = "x"  # the last cell a sheet has: a million rows, 16,384 columns

    data = as_xlsx([row(departure)], edit=far_cell)
    says = _refused(upload(client, shipper, data, "b.xlsx", dry_run="false"))
    assert "at most 10,000 rows" in says
    assert bookings_of(db_session, shipper) == 0


def test_blank_rows_past_the_limit_are_a_file_too_long(app, client, shipper, departure):
    def blank_rows(sheet):
        sheet["A2000"] = " "  # blank, yet a row the sheet holds; 1,995 rows apart

    app.config["IMPORT_MAX_ROWS"] = 3
    try:
        data = as_xlsx([row(departure)] * 3, edit=blank_rows)
        assert "at most 3 rows" in _refused(upload(client, shipper, data, "b.xlsx"))
    finally:
        app.config["IMPORT_MAX_ROWS"] = 10_000


def test_a_heading_row_hundreds_of_thousands_wide_is_one_short_refusal(client, shipper):
    headings = [c.heading for c in COLUMNS] + ["x"] * 300_000
    response = upload(client, shipper, as_csv([], headings=headings))
    problems = _refused_problems(response)
    assert len(problems) <= 12
    assert any("goes on past column" in p for p in problems)
    assert any("more problems with the headings" in p for p in problems)


def test_wrong_headings_are_named_up_to_ten(client, shipper):
    headings = [c.heading for c in COLUMNS] + [f"Note {n}" for n in range(15)]
    problems = _refused_problems(upload(client, shipper, as_csv([], headings=headings)))
    assert sum("is not a heading of the template" in p for p in problems) == 10
    assert "And 5 more problems with the headings." in problems


def _refused_problems(response) -> list[str]:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["file"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_row_far_wider_than_the_template_has_one_message(client, shipper, departure, kind):
    rows = [row(departure), row(departure)]
    if kind == "csv":
        data = as_csv(rows)
        lines = data.split(b"\r\n")
        lines[1] += b",x" * 300_000
        data = b"\r\n".join(lines)
    else:

        def wide(sheet):
            for column in range(len(COLUMNS) + 1, 16_385):
                sheet.cell(row=2, column=column, value="x")

        data = as_xlsx(rows, edit=wide)
    response = upload(client, shipper, data, f"b.{kind}")
    assert response.status_code == 200, response.get_json()
    first, second = response.get_json()["rows"]
    assert not first["ok"] and second["ok"]
    assert first["errors"] == {
        "_schema": [
            f"Columns from {len(COLUMNS) + 1} on have values but no heading; the template "
            f"has {len(COLUMNS)} columns."
        ]
    }


def test_a_few_cells_without_heading_are_one_message(client, shipper, departure):
    data = as_csv([row(departure)])
    lines = data.split(b"\r\n")
    lines[1] += b",x,,y"
    response = upload(client, shipper, b"\r\n".join(lines))
    errors = response.get_json()["rows"][0]["errors"]
    n = len(COLUMNS)
    assert errors == {"_schema": [f"Columns {n + 1} to {n + 3} have values but no heading."]}
