"""The railway's loading list (``services.railway_list``): read in UTF-8 or GB18030, with or
without a header, taken whole or not at all, each bad line named; the containers keep their
wagon and railway waybill numbers, and the waybills of confirmed bookings whose numbers
changed are reissued."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dryport.models import BookingStatus, Container, DepartureStatus, Role, VgmMethod, Waybill
from dryport.services import bookings, loading, railway_list, waybills
from dryport.services.containers import make_number
from dryport.services.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from tests.conftest import audit_entries, container_rows


def _rows(*numbers):
    return container_rows(*numbers, vgm_method=VgmMethod.METHOD_1)


@pytest.fixture
def train(db_session, make_user, make_departure, make_booking):
    """A XAEU departure carrying three containers on two confirmed bookings, and another
    departure carrying a fourth."""
    clerk = make_user(Role.CLERK, station="HB")
    shipper = make_user(Role.SHIPPER)
    departure, other = make_departure("XAEU"), make_departure("XAEU", days=14)
    numbers = [make_number("TGH", n) for n in range(1, 5)]
    first = make_booking(shipper.company, departure=departure, lines=(("22G1", 2),))
    second = make_booking(shipper.company, departure=departure)
    elsewhere = make_booking(shipper.company, departure=other)
    loading.confirm_load(db_session, clerk, first.reference, _rows(*numbers[:2]))
    loading.confirm_load(db_session, clerk, second.reference, _rows(numbers[2]))
    loading.confirm_load(db_session, clerk, elsewhere.reference, _rows(numbers[3]))
    db_session.commit()
    return SimpleNamespace(
        departure=departure, numbers=numbers, first=first, second=second, shipper=shipper,
        clerk=clerk, operator=make_user(Role.OPERATOR), make_booking=make_booking,
    )  # fmt: skip


def _apply(db_session, train, text, user=None, departure=None, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    result = railway_list.apply_loading_list(
        db_session, user or train.operator, (departure or train.departure).id, data
    )
    db_session.commit()
    return result


def _stored(db_session, numbers) -> dict:
    """Each container's (wagon, railway waybill) as the database has them."""
    db_session.expire_all()
    found = db_session.execute(
        select(Container.number, Container.wagon_no, Container.railway_waybill_no).where(
            Container.number.in_(numbers)
        )
    )
    return {number: (wagon, waybill) for number, wagon, waybill in found}


def _refused(db_session, train, text, **kw) -> dict:
    with pytest.raises(Invalid) as refused:
        _apply(db_session, train, text, **kw)
    db_session.rollback()
    return {key: [str(m) for m in messages] for key, messages in refused.value.errors.items()}


def _revisions(db_session, booking) -> int:
    db_session.expire_all()
    return waybills.latest(db_session, booking.id).revision


def test_the_list_gives_each_container_its_wagon_and_railway_waybill(db_session, train):
    a, b, c, _ = train.numbers
    result = _apply(db_session, train, f"{a},1560123,61004217\n{b},1560123,61004218\n"
                                       f"{c},1560124,61004219\n")  # fmt: skip
    assert (result["matched"], result["changed"]) == (3, 3)
    assert result["containers"][0] == {
        "number": a, "wagon_no": "1560123", "railway_waybill_no": "61004217",
        "booking": train.first.reference,
    }  # fmt: skip
    assert _stored(db_session, train.numbers[:3]) == {
        a: ("1560123", "61004217"), b: ("1560123", "61004218"), c: ("1560124", "61004219"),
    }  # fmt: skip
    entry = audit_entries(db_session, "departure")[-1]
    departure = train.departure
    assert entry.action == "railway_list" and entry.entity_id == departure.id
    assert entry.summary == (
        f"XAEU {departure.service_no} {departure.departs_at:%Y-%m-%d} railway list: 3 containers"
    )
    assert entry.changes[a] == [None, "1560123 / 61004217"]


def test_waybills_are_reissued_only_when_a_number_changed(db_session, train):
    a, b, c, _ = train.numbers
    text = f"{a},1560123,61004217\n{b},1560123,61004218\n"
    _apply(db_session, train, text)
    assert _revisions(db_session, train.first) == 2  # its papers name the wagon now
    assert _revisions(db_session, train.second) == 1  # not on the list: unchanged
    again = _apply(db_session, train, text)
    assert (again["matched"], again["changed"]) == (2, 0)
    assert _revisions(db_session, train.first) == 2
    _apply(db_session, train, f"{a},1560123,61004217\n{b},1560199,61004218\n")
    assert _revisions(db_session, train.first) == 3
    document = waybills.document(waybills.latest(db_session, train.first.id))
    assert [(row.wagon, row.railway_waybill) for row in document.containers] == [
        ("1560123", "61004217"), ("1560199", "61004218"),
    ]  # fmt: skip


def test_one_bad_line_writes_nothing(db_session, train):
    a, b, c, _ = train.numbers
    before = db_session.scalar(select(Waybill.id).order_by(Waybill.id.desc()).limit(1))
    entries = len(audit_entries(db_session, "departure"))
    errors = _refused(db_session, train, f"{a},1560123,61004217\n{b},1560123,61004218\n"
                                         f"{c},15601,61004219\n")  # fmt: skip
    assert list(errors) == ["line 3"]
    assert "Wagon 15601" in errors["line 3"][0]
    assert _stored(db_session, train.numbers[:3]) == dict.fromkeys(train.numbers[:3], (None, None))
    assert db_session.scalar(select(Waybill.id).order_by(Waybill.id.desc()).limit(1)) == before
    assert len(audit_entries(db_session, "departure")) == entries


def test_every_bad_line_is_named_by_its_number_in_the_file(db_session, train):
    a, b, c, d = train.numbers
    text = (
        "箱号,车号,运单号\n"
        f"{a},1560123,61004217\n"
        "\n"  # blank lines are skipped but counted
        f"{b[:-1]}0,1560123,61004218\n"  # a wrong check digit
        f"{c},1560124\n"  # a column missing
        f"{d},1560124,61004220\n"  # another departure's container
        f"{a},1560125,61004217\n"  # the same container with another wagon
        f"{a},1560123,61004217\n"  # the same again: fine
        "TGHU12345,ABC,61004221\n"  # a bad number and a bad wagon, both named
    )
    errors = _refused(db_session, train, text)
    assert list(errors) == ["line 4", "line 5", "line 6", "line 7", "line 9"]
    assert "check digit should be" in errors["line 4"][0]
    assert errors["line 5"] == [
        "3 columns expected (container, wagon, railway waybill); this line has 2."
    ]
    assert errors["line 6"] == [f"Container {d} is not on this departure."]
    assert errors["line 7"] == [f"Container {a} is on line 2 already, with other numbers."]
    assert len(errors["line 9"]) == 2


@pytest.mark.parametrize(
    "header", ["箱号,车号,运单号", "container,wagon,railway_waybill", "Container No.,Wagon,Waybill"]
)
def test_a_header_row_in_either_language_is_skipped(db_session, train, header):
    a = train.numbers[0]
    result = _apply(db_session, train, f"{header}\n{a},1560123,61004217\n")
    assert result["matched"] == 1


def test_utf8_with_a_byte_order_mark_and_gb18030_as_chinese_excel_saves_it(db_session, train):
    a, b = train.numbers[:2]
    text = f"箱号,车号,运单号\r\n{a},1560123,61004217\r\n"
    assert _apply(db_session, train, "\ufeff" + text)["matched"] == 1
    gb = f"箱号,车号,运单号\r\n{b},1560124,61004218\r\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")  # the control: these bytes are no UTF-8
    assert _apply(db_session, train, gb)["matched"] == 1
    assert _stored(db_session, [b]) == {b: ("1560124", "61004218")}


def test_tabs_or_semicolons_separate_columns_when_the_first_line_has_no_comma(db_session, train):
    a, b = train.numbers[:2]
    assert _apply(db_session, train, f"{a}\t1560123\t61004217\n")["matched"] == 1
    assert _apply(db_session, train, f"{b};1560124;61004218\n")["matched"] == 1


def test_numbers_are_normalised(db_session, train):
    a = train.numbers[0]
    spaced = f"{a[:4].lower()} {a[4:10]} {a[10]}"
    result = _apply(db_session, train, f' "{spaced}" , 31 80 4950 123-4 , x61004217 ,,\n')
    assert result["containers"][0]["number"] == a
    assert _stored(db_session, [a]) == {a: ("318049501234", "X61004217")}


@pytest.mark.parametrize(
    ("wagon", "waybill", "good"),
    [
        ("1560123", "1", True),  # a Chinese wagon: 7 digits
        ("31 80 4950 123-4", "A" * 20, True),  # a UIC wagon: 12 digits
        ("156012", "61004217", False),  # 6 digits
        ("3180495012345", "61004217", False),  # 13 digits
        ("156O123", "61004217", False),  # a letter O
        ("１５６０１２３", "61004217", False),  # full-width digits
        ("1560123", "A" * 21, False),
        ("1560123", "610-04217", False),
    ],
)
def test_wagon_and_railway_waybill_formats(db_session, train, wagon, waybill, good):
    line = f"{train.numbers[0]},{wagon},{waybill}\n"
    if good:
        assert _apply(db_session, train, line)["matched"] == 1
    else:
        assert list(_refused(db_session, train, line)) == ["line 1"]


def test_empty_files_and_files_that_are_no_text_are_refused(db_session, train):
    for data in (b"", b"\n\n", "箱号,车号,运单号\n".encode(), b"\xff\xfe1\x002\x00"):
        errors = _refused(db_session, train, data)
        assert list(errors) == ["file"], data


def test_the_limits(db_session, train, monkeypatch):
    with pytest.raises(TooLarge):
        _apply(db_session, train, b"x" * (railway_list.MAX_BYTES + 1))
    db_session.rollback()
    monkeypatch.setattr(railway_list, "MAX_LINES", 2)
    a = train.numbers[0]
    errors = _refused(db_session, train, f"{a},1560123,1\n" * 3)
    assert errors == {"file": ["A loading list may have at most 2 lines; this one has 3."]}


def test_a_departure_that_has_left_takes_its_list_and_keeps_its_papers(db_session, train):
    train.departure.status = DepartureStatus.DEPARTED
    train.first.status = BookingStatus.DEPARTED
    db_session.commit()
    a = train.numbers[0]
    assert _apply(db_session, train, f"{a},1560123,61004217\n")["changed"] == 1
    assert _revisions(db_session, train.first) == 1  # reissued only while confirmed
    train.departure.status = DepartureStatus.ARRIVED
    train.first.status = BookingStatus.ARRIVED
    for container in train.first.containers:
        container.live = False
    db_session.commit()
    assert _apply(db_session, train, f"{a},1560124,61004217\n")["changed"] == 1


def test_containers_of_cancelled_bookings_are_not_on_the_departure(db_session, train):
    a, b = train.numbers[:2]
    bookings.cancel_booking(db_session, train.shipper, train.first.reference)
    db_session.commit()
    errors = _refused(db_session, train, f"{a},1560123,61004217\n")
    assert errors == {"line 1": [f"Container {a} is not on this departure."]}


def test_who_and_which_departure(db_session, train):
    line = f"{train.numbers[0]},1560123,61004217\n"
    for user in (train.shipper, train.clerk):
        with pytest.raises(Forbidden):
            _apply(db_session, train, line, user=user)
        db_session.rollback()
    with pytest.raises(NotFound):
        railway_list.apply_loading_list(db_session, train.operator, 999_999, line.encode())
    db_session.rollback()
    train.departure.status = DepartureStatus.CANCELLED
    db_session.commit()
    with pytest.raises(Conflict):
        _apply(db_session, train, line)
