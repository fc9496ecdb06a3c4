import pytest
from flask import Flask

from config import DEV_SECRET_KEY, Config
from dryport import check_secret_key, create_app


def _config(**values):
    return type("Cfg", (Config,), {"SQLALCHEMY_DATABASE_URI": "sqlite://", **values})


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(SECRET_KEY=None, DEBUG=False))


def test_production_refuses_the_development_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(SECRET_KEY=DEV_SECRET_KEY, DEBUG=False))


def test_production_starts_with_its_own_key_and_address():
    app = create_app(
        _config(
            SECRET_KEY="a-long-random-production-secret",
            DEBUG=False,
            PUBLIC_URL="https://dryport.example",
        )
    )
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"


def test_production_needs_the_public_address_for_waybill_qr_codes():
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app(
            _config(SECRET_KEY="a-long-random-production-secret", DEBUG=False, PUBLIC_URL=None)
        )


def test_debug_makes_and_keeps_a_random_key_of_its_own(tmp_path):
    def debug_app():
        app = Flask("debug", instance_path=str(tmp_path / "instance"))
        app.config.update(DEBUG=True, SECRET_KEY=None)
        check_secret_key(app)
        return app.config["SECRET_KEY"]

    key = debug_app()
    assert key != DEV_SECRET_KEY and len(key) == 64
    assert debug_app() == key
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_debug_refuses_the_development_key_too():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(SECRET_KEY=DEV_SECRET_KEY, DEBUG=True))
