"""What the API tests share."""

import pytest

from dryport.models import Role


@pytest.fixture
def shipper(make_user, api_token):
    """A shipper with the bearer headers of an API token (``shipper.headers``)."""
    user = make_user(Role.SHIPPER)
    user.headers = api_token(user.email)
    return user


@pytest.fixture
def people(make_user, api_token):
    """A user of every role, each with the bearer headers of an API token (``.headers``)."""
    users = {role: make_user(role) for role in Role}
    for user in users.values():
        user.headers = api_token(user.email)
    return users
