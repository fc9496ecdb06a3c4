"""Configuration, read from the environment.

Every setting has a safe default for development except the secret key: outside debug and
testing the application refuses to start without ``SECRET_KEY`` (see ``dryport.create_app``).
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Known only to development and tests; create_app refuses it in production.
DEV_SECRET_KEY = "dryport-development-key-not-for-production"  # noqa: S105


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'dryport.db'}"


def _intensities(text: str) -> dict[str, Decimal]:
    """``ROAD=62,RAIL=22`` as ``{"ROAD": Decimal(62), ...}``; a bad entry stops the start."""
    modes = {"ROAD", "RAIL", "WATER", "SEA"}
    chosen = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        mode, _, value = (text.strip() for text in item.partition("="))
        try:
            number = Decimal(value)
        except ArithmeticError:
            number = None
        if mode.upper() not in modes or number is None or not number.is_finite() or number < 0:
            raise ValueError(
                f"CO2E_G_PER_TKM: {item!r} is not MODE=number (0 or more) of {sorted(modes)}"
            )
        chosen[mode.upper()] = number
    return chosen


def _wagon_teu(text: str) -> int:
    """A whole number of TEU, 1 or more; anything else stops the start."""
    if not (text.isascii() and text.strip().isdigit()) or int(text) < 1:
        raise ValueError(f"WAGON_TEU: {text!r} is not a whole number of TEU, 1 or more")
    return int(text)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Languages: Chinese first, English complete.
    LANGUAGES = ("zh", "en")
    BABEL_DEFAULT_LOCALE = "zh"

    MAX_CONTENT_LENGTH = 1024 * 1024  # no form or JSON body of the product comes near it
    # Requests of one process that run the app at once (dryport.admission); the others wait,
    # their whole request read. 0: no limit.
    APP_CONCURRENCY = int(os.environ.get("APP_CONCURRENCY", "2"))
    SESSION_COOKIE_HTTPONLY = True
    # Served over HTTPS in production; debug (make run) turns it off for http://127.0.0.1.
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    # Counted by every worker of this host together (a file: dryport.rate_limits); Redis
    # (redis://...) when several hosts serve. memory:// counts per process: never in production.
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI")
        or f"sqlitefile://{INSTANCE_DIR / 'rate_limits.sqlite'}"
    )
    # Keys in a shared store (Redis) begin with this, so that two deployments can share one.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "dryport")
    # Reverse proxies in front that set X-Forwarded-For and X-Forwarded-Proto; 0 trusts none.
    # The client address (rate limits, security log) is taken that many hops back.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    RATELIMIT_HEADERS_ENABLED = True
    SIGN_IN_LIMIT = os.environ.get("SIGN_IN_LIMIT", "10 per minute; 100 per hour")
    # Sign-ins naming one account, from any number of addresses (web and API together).
    SIGN_IN_ACCOUNT_LIMIT = os.environ.get("SIGN_IN_ACCOUNT_LIMIT", "10 per minute; 60 per hour")
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name; Werkzeug's memory-hard default
    API_TOKEN_TTL = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "24")))
    IDEMPOTENCY_TTL = timedelta(hours=int(os.environ.get("IDEMPOTENCY_TTL_HOURS", "24")))
    # Some ports count a 45 ft container as 2.25 TEU; the default is 2.
    TEU_PER_45FT = float(os.environ.get("TEU_PER_45FT", "2"))
    PAGE_SIZE = 25
    # Rows of bookings one bulk upload may hold (DESIGN §15); a larger file is refused whole.
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "10000"))
    # A station's unused quota on a departure returns to the open pool this many hours before
    # that station's cut-off (DESIGN §14).
    QUOTA_RELEASE_HOURS = int(os.environ.get("QUOTA_RELEASE_HOURS", "24"))
    # Quota releases and waitlist expiries are applied by a thread of each app process every
    # so many seconds (and by `flask dryport sweep`); 0 leaves it to the command.
    SWEEP_SECONDS = int(os.environ.get("SWEEP_SECONDS", "60"))
    # TEU one flat wagon carries, for the wagons of the monthly rail plan: 2 (a 40 ft flat
    # wagon such as the NX70 takes two 20 ft containers or one 40 ft).
    WAGON_TEU = _wagon_teu(os.environ.get("WAGON_TEU", "2"))
    # g CO2e per tonne-km (well-to-wheel) by transport mode, over the defaults of
    # services/corridors.py: the port's figures from its GLEC Framework tables, e.g.
    # CO2E_G_PER_TKM="RAIL=18.4,SEA=7.9".
    CO2E_G_PER_TKM = _intensities(os.environ.get("CO2E_G_PER_TKM", ""))
    # How far (per cent of the declared gross) the weighed cargo mass, Σ (VGM − tare), may
    # differ from a booking's declared gross before the load check refuses it (DESIGN §10).
    WEIGHT_TOLERANCE_PCT = Decimal(os.environ.get("WEIGHT_TOLERANCE_PCT", "5"))
    # Where the public verification page is reached: printed in every waybill's QR code.
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    # A TrueType CJK font to embed in PDFs; found on the machine when unset.
    WAYBILL_FONT = os.environ.get("WAYBILL_FONT")

    # Webhooks: delivered by a thread of each app process (and/or `flask dryport webhooks
    # run`); receivers on private or local networks only where this is set (tests, a LAN).
    WEBHOOKS_IN_PROCESS = os.environ.get("WEBHOOKS_IN_PROCESS", "1") != "0"
    WEBHOOK_ALLOW_PRIVATE_NETWORKS = os.environ.get("WEBHOOK_ALLOW_PRIVATE_NETWORKS") == "1"
    WEBHOOK_CA_FILE = os.environ.get("WEBHOOK_CA_FILE")  # default: the system's CAs
    WEBHOOK_TIMEOUT_SECONDS = 10
    WEBHOOK_MAX_ATTEMPTS = 15  # about eight hours in all
    WEBHOOK_RETRY_BASE_SECONDS = 30  # then 1, 2, 4 ... minutes, at most an hour apart
    WEBHOOK_RETRY_CAP_SECONDS = 3600
    WEBHOOK_POLL_SECONDS = 15
    # Test events and sends-again per client address: each one calls an address of the
    # shipper's choosing.
    WEBHOOK_SEND_LIMIT = os.environ.get("WEBHOOK_SEND_LIMIT", "10 per minute")
    # Mail (Flask-Mail's settings): without MAIL_SERVER nothing is sent and nothing fails.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "dryport@localhost")
    MAIL_SUPPRESS_SEND = False  # whether mail goes out is MAIL_SERVER's to say, tests too
    MAIL_TIMEOUT_SECONDS = 10
    MAIL_MAX_ATTEMPTS = 15  # as webhooks: about eight hours in all
    MAIL_RETRY_BASE_SECONDS = 30
    MAIL_RETRY_CAP_SECONDS = 3600
    # The clerks' morning digest of their queue goes out from this hour on, Beijing time.
    MAIL_DIGEST_HOUR = int(os.environ.get("MAIL_DIGEST_HOUR", "7"))
    # How long a password reset link works.
    PASSWORD_RESET_TTL = timedelta(hours=1)
    # The benchmark's baseline endpoint (dryport/web/bench.py); never set in production.
    BENCH_BASELINE = os.environ.get("BENCH_BASELINE") == "1"

    API_TITLE = "dryport"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class TestingConfig(Config):
    TESTING = True
    PUBLIC_URL = "http://dryport.test"
    SESSION_COOKIE_SECURE = False  # the test client speaks http
    RATELIMIT_ENABLED = False  # the suite signs in thousands of times; one test turns it on
    RATELIMIT_STORAGE_URI = "memory://"  # one process, and a fresh count for every app
    # Real hashing, made cheap: the suite signs in thousands of times.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WEBHOOKS_IN_PROCESS = False  # tests deliver when they choose; one starts the thread
    SWEEP_SECONDS = 0  # tests sweep when they choose
    WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the receivers of the tests are on 127.0.0.1
    WEBHOOK_TIMEOUT_SECONDS = 2
