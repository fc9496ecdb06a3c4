import pytest

from config import DEV_SECRET_KEY, Config
from dryport import create_app


def _config(**values):
    return type("Cfg", (Config,), {"SQLALCHEMY_DATABASE_URI": "sqlite://", **values})


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(SECRET_KEY=None, DEBUG=False))


def test_production_refuses_the_development_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(SECRET_KEY=DEV_SECRET_KEY, DEBUG=False))


def test_production_starts_with_its_own_key():
    app = create_app(_config(SECRET_KEY="a-long-random-production-secret", DEBUG=False))
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"


def test_debug_runs_on_the_development_key():
    app = create_app(_config(SECRET_KEY=None, DEBUG=True))
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
