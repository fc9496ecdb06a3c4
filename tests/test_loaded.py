"""``db.loaded``: an object made from a Core row as the ORM would load it, without its
loading (the token's user and the booking's departure, read on every booking)."""

import pytest
from sqlalchemy import inspect, select, update

from dryport.db import loaded
from dryport.models import Departure, User


def _row(session, model, id_):
    return (
        session.connection().execute(select(*model.__table__.columns).where(model.id == id_)).one()
    )


def test_a_row_not_in_the_session_becomes_a_persistent_object(db_session, make_user, count_queries):
    user = make_user()
    id_, email, company_id = user.id, user.email, user.company_id
    db_session.commit()
    db_session.expunge_all()
    row = _row(db_session, User, id_)
    with count_queries() as seen:
        made = loaded(db_session, User, row)
        assert (made.id, made.email, made.role, made.active) == (id_, email, row.role, True)
    assert seen == []  # made from the row: no query
    assert inspect(made).persistent and made in db_session
    assert not db_session.dirty and not db_session.new
    assert made.company.id == company_id  # a relationship the row lacks loads when asked
    assert db_session.get(User, id_) is made


def test_the_object_in_the_session_is_the_one_given_back(db_session, make_departure):
    """As the ORM's loading: what the object holds is kept, an expired column is filled in
    from the row without a query."""
    departure = make_departure(capacity=100)
    db_session.execute(
        update(Departure)
        .where(Departure.id == departure.id)
        .values(capacity_teu=90, service_no="X1")
        .execution_options(synchronize_session=False)
    )
    db_session.expire(departure, ["service_no"])
    row = _row(db_session, Departure, departure.id)
    assert loaded(db_session, Departure, row) is departure
    assert departure.capacity_teu == 100  # not refreshed: the session's own, as loaded
    assert "service_no" not in inspect(departure).expired_attributes
    assert departure.service_no == "X1"


def test_a_mapping_it_would_get_wrong_is_refused(db_session):
    from sqlalchemy import Column, Integer, MetaData, Table
    from sqlalchemy.orm import column_property, registry

    class Counted:
        pass

    table = Table(
        "counted", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer)
    )
    registry().map_imperatively(
        Counted, table, properties={"double": column_property(table.c.n * 2)}
    )
    with pytest.raises(TypeError, match="Counted.double is not a column"):
        loaded(db_session, Counted, None)
