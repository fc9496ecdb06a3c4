"""Documents attached to a booking: invoices, packing lists, certificates, safety data
sheets, customs declarations.

A document is accepted for what its bytes are, never for its name or the type its sender
declared: a PDF, a JPEG or a PNG, recognised by the signature its format begins with, of at
most ``MAX_BYTES``. Its file name is cleaned before it is kept (no folders, no control or
direction characters, a bounded length, the extension of what it is). It is stored in the
database, seen by whoever may see the booking, and may be removed until the booking's
departure leaves; both are entries of the booking's timeline.
"""

import hashlib
import unicodedata
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.models import (
    Booking,
    BookingDocument,
    DocumentKind,
    EventType,
    Role,
    User,
)
from dryport.services.access import STAFF, require_role
from dryport.services.bookings import get_booking, get_booking_for_change, record_event
from dryport.services.clock import utcnow
from dryport.services.departures import LEFT
from dryport.services.errors import Conflict, Invalid, NotFound, TooLarge

#: The largest file accepted: 10 MiB (10 × 1024 × 1024 bytes).
MAX_BYTES = 10 * 1024 * 1024
MAX_MB = MAX_BYTES >> 20
#: The largest upload request: the file and room for the multipart framing around it and
#: the other fields, so that a file of exactly ``MAX_BYTES`` always fits.
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024
#: The longest file name kept, in characters, its extension included.
MAX_NAME_LENGTH = 120

#: Who may add and remove documents; every role may read those of the bookings it sees.
EDITORS = (Role.SHIPPER, *STAFF)

#: The formats accepted: the signature each begins with, its media type, its extensions
#: (the first is added to a name that has none of them).
FORMATS = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)
#: Characters no file name keeps: path separators and those Windows refuses.
_FORBIDDEN = frozenset('/\\:*?"<>|')
#: Unicode categories no file name keeps: controls, format characters (the right-to-left
#: override that shows "fdp.exe" as "exe.pdf", zero-width spaces, byte-order marks),
#: line and paragraph separators, unassigned and private-use code points, surrogates.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})

#: The documents of a booking, oldest first; the files themselves are left unread.
_OF_BOOKING = select(BookingDocument).order_by(BookingDocument.uploaded_at, BookingDocument.id)


def detect_type(data: bytes) -> str | None:
    """The media type of ``data`` by the signature it begins with, or None."""
    for signature, media_type, _extensions in FORMATS:
        if data.startswith(signature):
            return media_type
    return None


def clean_name(name: str | None, media_type: str) -> str:
    """``name`` made safe to keep, show and send back: its last path part only, without
    control, format and separator characters or those file systems refuse, without leading
    dots or spaces, at most ``MAX_NAME_LENGTH`` characters, and ending in an extension of
    ``media_type`` (added when it has another or none)."""
    extensions = next(ext for _sig, kind, ext in FORMATS if kind == media_type)
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        " " if char.isspace() else char
        for char in text
        if char not in _FORBIDDEN and unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    text = " ".join(text.split()).lstrip(". ").rstrip(". ")
    if not text.lower().endswith(extensions):
        text = f"{text}{extensions[0]}" if text else f"document{extensions[0]}"
    stem, dot, extension = text.rpartition(".")
    room = MAX_NAME_LENGTH - len(extension) - 1
    return f"{stem[:room].rstrip('. ') or 'document'}{dot}{extension}"


def read_upload(stream: BinaryIO) -> bytes:
    """The bytes of an uploaded file; ``TooLarge`` above ``MAX_BYTES``, ``Invalid`` when
    it is empty. Reads at most one byte more than it accepts."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(
            _l("A document may be at most %(mb)d MB (%(bytes)s bytes).", mb=MAX_MB,
               bytes=f"{MAX_BYTES:,}"),
            errors={"file": [_l("The file is larger than %(mb)d MB.", mb=MAX_MB)]},
        )  # fmt: skip
    if not data:
        raise Invalid(errors={"file": [_l("The file is empty.")]})
    return data


def list_documents(session: Session, user: User, reference: str) -> list[BookingDocument]:
    """The documents of the booking ``reference``, oldest first. Raises ``NotFound`` when
    the booking is not in the user's scope."""
    booking = get_booking(session, user, reference, timeline=False)
    return documents_of(session, booking)


def documents_of(session: Session, booking: Booking) -> list[BookingDocument]:
    """The documents of ``booking`` (already found within the user's scope), oldest first."""
    return list(session.scalars(_OF_BOOKING.where(BookingDocument.booking_id == booking.id)))


def get_document(session: Session, user: User, reference: str, document_id: int) -> BookingDocument:
    """One document of the booking ``reference`` (its file is read when first used).
    Raises ``NotFound`` when the booking is not in the user's scope or the document is not
    the booking's."""
    return _document_of(session, get_booking(session, user, reference, timeline=False), document_id)


def _document_of(session: Session, booking: Booking, document_id: int) -> BookingDocument:
    """The document ``document_id`` of ``booking`` (already found within the user's scope);
    raises ``NotFound`` when it is not the booking's."""
    document = session.scalar(
        select(BookingDocument).where(
            BookingDocument.id == document_id, BookingDocument.booking_id == booking.id
        )
    )
    if document is None:
        raise NotFound()
    return document


def add_document(
    session: Session,
    user: User,
    reference: str,
    kind: DocumentKind,
    file_name: str | None,
    stream: BinaryIO,
) -> BookingDocument:
    """Attach a file to the booking ``reference`` and note it on the timeline.

    Raises ``NotFound`` outside the user's scope, ``Forbidden`` for a role that may not add
    documents, ``TooLarge`` above ``MAX_BYTES``, ``Invalid`` (on ``file``) for an empty file
    or one that is not a PDF, JPEG or PNG by its content.
    """
    require_role(user, *EDITORS)
    booking = get_booking(session, user, reference, timeline=False)
    data = read_upload(stream)
    media_type = detect_type(data)
    if media_type is None:
        raise Invalid(
            errors={
                "file": [_l("Only PDF, JPEG or PNG files are accepted; this file is none of them.")]
            }
        )
    now = utcnow()
    document = BookingDocument(
        booking_id=booking.id,
        kind=kind,
        file_name=clean_name(file_name, media_type),
        content_type=media_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=user,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    record_event(
        session, booking, user, EventType.DOCUMENT_ADDED, at=now,
        document=document.file_name, kind=kind.name,
    )  # fmt: skip
    return document


def remove_document(session: Session, user: User, reference: str, document_id: int) -> None:
    """Remove a document from the booking ``reference`` and note it on the timeline.

    Raises ``NotFound`` as ``get_document`` does, ``Forbidden`` for a role that may not
    remove documents, ``Conflict`` once the booking's departure has left (what travelled
    with the train stays on record). The departure's row is locked first, so a removal and
    the departure's ``depart`` never both succeed on what each read before the other.
    """
    require_role(user, *EDITORS)
    booking = get_booking_for_change(session, user, reference)
    document = _document_of(session, booking, document_id)
    if has_left(booking):
        raise Conflict(_l("The departure has left: its documents can no longer be removed."))
    record_event(
        session, booking, user, EventType.DOCUMENT_REMOVED,
        document=document.file_name, kind=document.kind.name,
    )  # fmt: skip
    session.delete(document)
    session.flush()


def has_left(booking: Booking) -> bool:
    """Whether the booking's departure has left (its documents are then kept as they are)."""
    return booking.departure.status in LEFT


def document_actions(user: User, booking: Booking) -> dict:
    """What ``user`` may do with the documents of ``booking``: the rules the actions enforce."""
    editor = user.role in EDITORS
    return {"add": editor, "remove": editor and not has_left(booking)}
