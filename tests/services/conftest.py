import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def _english(app):
    """Service messages are read in English here; the faces' tests cover Chinese."""
    with app.test_request_context(), force_locale("en"):
        yield
