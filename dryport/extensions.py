"""Extension instances, created unbound and initialised in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from dryport.db import Base


class Api(_Api):
    """flask-smorest's Api without its app-wide JSON error handler.

    Its handler would answer every HTTP error of the web pages in JSON too; errors are
    handled once per interface in ``dryport.errors`` instead.
    """

    def _register_error_handlers(self):
        pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
# Sign-in, registration and token requests, per client address. In memory by default; set
# RATELIMIT_STORAGE_URI (e.g. redis://) when several servers must share the counts.
limiter = Limiter(get_remote_address)
