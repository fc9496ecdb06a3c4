"""Rows a shipper's company keeps for itself (booking templates, the address book): found
only within the company, counted under a lock of the company's row, changed on the version
read, unique where the company's own list must be."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dryport.models import Company, Role, User
from dryport.services.access import require_role
from dryport.services.clock import utcnow
from dryport.services.errors import Conflict, NotFound, stale


def get_owned(session: Session, user: User, model, row_id: int):
    """The row ``row_id`` of ``model`` if it is the user's company's; any other (another
    company's, or none) is ``NotFound``, so that an id reveals nothing."""
    require_role(user, Role.SHIPPER)
    found = session.scalar(
        select(model).where(model.id == row_id, model.company_id == user.company_id)
    )
    if found is None:
        raise NotFound()
    return found


def check_room(session: Session, user: User, model, limit: int, message) -> None:
    """Raises ``Conflict`` (``message``) when the user's company has ``limit`` rows of
    ``model`` already. The company's row is locked before the count (PostgreSQL; SQLite's
    writers take turns already), so additions at once count one after another and the limit
    holds under any race, as ``services.webhooks.create_endpoint`` does."""
    session.execute(select(Company.id).where(Company.id == user.company_id).with_for_update())
    count = session.scalar(select(func.count()).where(model.company_id == user.company_id))
    if count >= limit:
        raise Conflict(message)


def check_version(row, version: int | None) -> None:
    """Raises ``Conflict`` when ``row`` is no longer at the ``version`` the client read."""
    if version is not None and row.version != version:
        raise stale()


def save(session: Session, row, duplicate: Conflict) -> None:
    """Flush ``row`` (its ``updated_at`` now): a name the company uses already is the
    ``duplicate`` conflict (the unique constraint decides, even between two requests at
    once), a change made meanwhile by someone else the stale one."""
    row.updated_at = utcnow()
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise duplicate from None
    except StaleDataError:
        raise stale() from None
