"""A company's address book: the consignees and notify parties it ships to, offered by the
booking form. An entry holds what a booking's party holds (name and address), checked by
the same schema; the same name and address are in a company's book once."""

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dryport.models import AddressBookEntry, Role, User
from dryport.services import company_rows
from dryport.services.access import require_role
from dryport.services.errors import Conflict
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search

#: Entries a company may keep: far beyond a forwarder's real list, short of a mailing list.
MAX_ENTRIES = 500
#: Entries the booking form's picker offers, in name order.
PICKER_SIZE = 200

SORTING = Sorting(
    columns={
        "name": AddressBookEntry.name,
        "address": AddressBookEntry.address,
        "created_at": AddressBookEntry.created_at,
        "updated_at": AddressBookEntry.updated_at,
    },
    default=("name",),
    tiebreak=AddressBookEntry.id,
)


def _duplicate() -> Conflict:
    return Conflict(
        _l("This name and address are in your address book already."),
        errors={"name": [_l("Already in your address book with this address.")]},
    )


def entries_query(user: User, q: str | None = None, sort: Sequence[str] | None = None) -> Select:
    """The entries of the user's company, by name unless ``sort`` says otherwise; with
    ``q``, those whose name or address contains it (``services.search``)."""
    require_role(user, Role.SHIPPER)
    stmt = select(AddressBookEntry).where(AddressBookEntry.company_id == user.company_id)
    stmt = search(stmt, q, AddressBookEntry.name, AddressBookEntry.address)
    return order_by(stmt, sort, SORTING)


def picker(session: Session, user: User) -> list[AddressBookEntry]:
    """What the booking form offers: the company's first ``PICKER_SIZE`` entries by name."""
    if user.role is not Role.SHIPPER:
        return []
    return list(session.scalars(entries_query(user).limit(PICKER_SIZE)))


def get_entry(session: Session, user: User, entry_id: int) -> AddressBookEntry:
    """One entry of the user's company; another company's is ``NotFound``."""
    return company_rows.get_owned(session, user, AddressBookEntry, entry_id)


def add_entry(session: Session, user: User, party: dict) -> AddressBookEntry:
    """Add ``party`` (``PartySchema`` loaded: name, address) to the company's book.

    Raises ``Conflict`` when the book is full (``MAX_ENTRIES``, counted safely under races)
    or holds this name and address already."""
    require_role(user, Role.SHIPPER)
    company_rows.check_room(
        session, user, AddressBookEntry, MAX_ENTRIES,
        _l("Your address book is full (%(n)d entries): remove one first.", n=MAX_ENTRIES),
    )  # fmt: skip
    entry = AddressBookEntry(
        company_id=user.company_id,
        name=party["name"],
        address=party["address"],
        created_by_id=user.id,
    )
    session.add(entry)
    company_rows.save(session, entry, _duplicate())
    return entry


def update_entry(
    session: Session, user: User, entry_id: int, data: dict, version: int | None
) -> AddressBookEntry:
    """Change an entry's name and/or address, made on the ``version`` read (a stale one is
    a ``Conflict``, as is a name and address the book holds already)."""
    entry = get_entry(session, user, entry_id)
    company_rows.check_version(entry, version)
    changed = {key: data[key] for key in ("name", "address") if key in data}
    if any(getattr(entry, key) != value for key, value in changed.items()):
        for key, value in changed.items():
            setattr(entry, key, value)
        company_rows.save(session, entry, _duplicate())
    return entry


def delete_entry(
    session: Session, user: User, entry_id: int, version: int | None = None
) -> AddressBookEntry:
    """Remove an entry (bookings made with it keep their parties: they hold copies)."""
    entry = get_entry(session, user, entry_id)
    company_rows.check_version(entry, version)
    session.delete(entry)
    session.flush()
    return entry


def add_from_booking(session: Session, user: User, booking, party: str) -> AddressBookEntry:
    """Add a booking's ``party`` (``consignee`` or ``notify_party``) to the book."""
    if party == "notify_party":
        if not booking.notify_name:
            raise Conflict(_l("This booking has no notify party."))
        return add_entry(session, user, {"name": booking.notify_name,
                                         "address": booking.notify_address})  # fmt: skip
    return add_entry(
        session, user, {"name": booking.consignee_name, "address": booking.consignee_address}
    )
