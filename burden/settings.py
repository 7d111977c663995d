"""Settings, all read from the environment (see ``.env.example``).

``DEBUG=True`` and nothing else gives the embedded default: SQLite in the checkout,
Celery tasks run eagerly in the web process, e-mail printed to the console (``make``
and pytest set ``DEBUG=True`` themselves). ``DEBUG`` is off unless set, so that a
server that forgets it never shows debug pages; it then needs a real ``SECRET_KEY``.
Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and
``REDIS_URL``; it then gets the hardened settings that ``manage.py check --deploy``
asks for.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def load_env_file(path: Path) -> None:
    """Read ``KEY=VALUE`` lines of the checkout's ``.env`` for variables the environment leaves unset.

    ``make install`` writes one with ``DEBUG=True`` on a developer's machine, so that a bare
    ``python manage.py ...`` there runs on the embedded default while a server configured
    from its environment alone (which never has this file) stays out of debug mode.
    ``ENV_FILE`` points elsewhere; ``ENV_FILE=`` (empty) reads none.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_env_file(Path(_env_file))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of: true, false, 1, 0, yes, no.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Off unless asked for: a production server that forgets DEBUG must not serve debug pages
# (it then stops below for want of a SECRET_KEY). `make` and the test suite turn it on.
DEBUG = env_bool("DEBUG", False)

# Only ever used with DEBUG on; production refuses it below.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or INSECURE_DEFAULT_SECRET_KEY
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG=False. Generate one with: "
        'python -c "from django.core.management.utils import get_random_secret_key as k; print(k())". '
        "DEBUG is off unless set; for development, set DEBUG=True instead (make does)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "burden.apps.BurdenAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "burden",
    # The record apps: each registers its kind from ready(), and the kinds are listed
    # (navigation, filters, summaries) in this order.
    "meetings",
    "secondments",
    "datarequests",
    "documents",
    "inspections",
    "workapps",
]

MIDDLEWARE = [
    "burden.requestid.RequestIdMiddleware",  # first: every other middleware's lines carry the id too
    "django.middleware.security.SecurityMiddleware",
    "burden.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "burden.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "burden.urls"
WSGI_APPLICATION = "burden.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "burden.context_processors.navigation",
                "burden.review.context_processors.review_bell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One connection per thread, so persistent connections buy nothing; WAL and
    # IMMEDIATE transactions let the dev server's threads write without
    # "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "burden.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in, sessions and the client's address ----------------------------------------

# How many reverse proxies of ours stand in front of the app. 0: none, the connection's
# address is the client's and X-Forwarded-For is ignored; N: the client is the Nth entry
# from the right of X-Forwarded-For (each proxy appends what it saw). burden/net.py reads
# it for the sign-in guard and the API's rate limits alike.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} cannot be negative.")

# The pause after failed sign-ins, at every door (burden/login_guard.py): an account is
# paused after LOGIN_FAILURE_LIMIT failures within the window; an address, which a whole
# office may share, after many more, and then only for accounts it has not signed in before.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_KNOWN_ADDRESS_DAYS = env_int("LOGIN_KNOWN_ADDRESS_DAYS", 30)
# Sign-in attempts double as the sign-in log; 等保 2.0 asks for six months of logs.
LOGIN_ATTEMPT_RETENTION_DAYS = env_int("LOGIN_ATTEMPT_RETENTION_DAYS", 180)

# A browser session ends after this long without a request, and this long in all
# (burden/sessions.py); the cookie's own lifetime is the absolute one.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
if SESSION_IDLE_TIMEOUT_MINUTES < 1 or SESSION_ABSOLUTE_HOURS < 1:
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT_MINUTES and SESSION_ABSOLUTE_HOURS must be at least 1.")
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600

# --- Language and time --------------------------------------------------------

# The users work in Chinese: zh-hans is the default when the browser asks for
# neither language; English stays complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Thousands separated by commas in both languages (burden/formats/zh_Hans).
FORMAT_MODULE_PATH = ["burden.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static files ---------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package.json + lock) and are served from
# node_modules by Django's static files, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

MEDIA_URL = "media/"
# Uploaded ledgers; with several hosts, a storage the web and worker hosts share.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
LEDGER_MAX_UPLOAD_MB = env_int("LEDGER_MAX_UPLOAD_MB", 200)

# --- Uploads: limits that hold while a file streams in and before an XLSX is parsed ---

# The size limit is counted as the body arrives (burden/ledger/uploads.py), not after
# the whole file is stored; Django's own handlers follow it.
FILE_UPLOAD_HANDLERS = [
    "burden.ledger.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Form fields (not files) held in memory and fields per request: Django's defaults,
# written out so that they are not raised by accident. No form takes more than one
# file, so ten per request is plenty (Django allows 100).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# An XLSX is refused before it is parsed when its parts unpack to more than this (a
# million-row ledger unpacks to about 400 MB), when it has more parts than a workbook
# needs, or more shared strings (which the reader holds in memory) than this.
LEDGER_MAX_XLSX_UNCOMPRESSED_MB = env_int("LEDGER_MAX_XLSX_UNCOMPRESSED_MB", 10 * LEDGER_MAX_UPLOAD_MB)
LEDGER_MAX_XLSX_PARTS = env_int("LEDGER_MAX_XLSX_PARTS", 1000)
LEDGER_MAX_XLSX_SHARED_STRINGS = env_int("LEDGER_MAX_XLSX_SHARED_STRINGS", 5_000_000)
if min(LEDGER_MAX_UPLOAD_MB, LEDGER_MAX_XLSX_UNCOMPRESSED_MB, LEDGER_MAX_XLSX_PARTS) < 1:
    raise ImproperlyConfigured(
        "LEDGER_MAX_UPLOAD_MB, LEDGER_MAX_XLSX_UNCOMPRESSED_MB and LEDGER_MAX_XLSX_PARTS must be at least 1."
    )

# A report's spreadsheet is built by a worker (with its progress shown) when the unit's
# subtree holds more units than this; smaller ones are sent at once. Files under MEDIA_ROOT.
REPORT_BACKGROUND_UNITS = env_int("REPORT_BACKGROUND_UNITS", 200)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery -----------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Without a broker every task runs inside the request that sends it.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 3600
# Nothing the web process sends waits for a result, and subscribing to one per task made a
# Redis outage hang every save (burden/queueing.py). Failures are kept in the database.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast instead of hanging a web request when Redis is unreachable.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Import progress and the API's rate limits live in the cache; both do without it while
# Redis is down (burden/ledger/jobs.py, burden/api/throttling.py), and the timeouts keep an
# unreachable Redis from holding a request.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST API -------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "burden.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["burden.api.filters.StrictFilterBackend"],
    # JSON in and out (the contract); the browsable pages post JSON too.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "burden.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "burden.api.throttling.AnonRateThrottle",
        "burden.api.throttling.UserRateThrottle",
    ],
    # The same count as the sign-in guard's (see below), for any stock DRF throttle.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # Generous for integrating systems, a brake on a runaway script; the token
    # endpoint has its own, much lower rate (and failed logins lock an account).
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANON", "120/minute"),
        "user": os.environ.get("API_RATE_USER", "6000/hour"),
        "auth": os.environ.get("API_RATE_TOKEN", "30/minute"),
    },
    "EXCEPTION_HANDLER": "burden.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# API tokens (django-rest-knox, stored as digests; see burden/tokens.py). A week: long
# enough for an integration that runs for days, short enough that a token copied out of
# a script or a log is dead within the week; every run can sign in again for a new one.
KNOX_TOKEN_MODEL = "burden.ApiToken"
# knox's own migrations create its stock token table even though the model is swapped
# for ours; that empty table's foreign key to the people then blocks the TRUNCATE that
# flushes a PostgreSQL test database. Its models are swapped out, so it needs none.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24 * 7)
API_TOKEN_LIMIT_PER_USER = env_int("API_TOKEN_LIMIT_PER_USER", 20)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Grassroots Burden Tracker API",
    "DESCRIPTION": "Records of the work pushed down on grassroots units, and the rules that flag it.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Served from npm's swagger-ui-dist by our own static files: the users' networks are often offline.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "documents.models.Document.Kind",
        "DataRequestKindEnum": "datarequests.models.DataRequest.Kind",
        "ViolationStatusEnum": "burden.rules.models.Violation.Status",
        "CaseStatusEnum": "burden.review.models.Case.Status",
    },
}

# --- E-mail -------------------------------------------------------------------------

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "burden-tracker@localhost")
# Where e-mails (the daily review digest) link to: the address people open the site at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production) -----------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /health/ (and its live/ and ready/) is polled over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/((live|ready)/)?$"]

# --- Response headers, in every mode (burden/security_headers.py) ----------------------

# Only the product's own files: every script and style sheet is a static file, so there is
# no 'unsafe-inline' and no 'unsafe-eval' (charts draw through the CSSOM, which the policy
# allows; htmx's inline indicator style is turned off in base.html). data: images are
# the icons that Bootstrap's and Swagger UI's style sheets embed.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The last resort, page by page (URL name pattern -> directive -> sources it adds), for
# third-party pages no template of ours can fix.
CONTENT_SECURITY_POLICY_EXCEPTIONS = {
    # django-simple-history's admin history list writes style="border-top: 0" on its
    # paginator outside any template block. Its history pages alone allow exactly that
    # attribute by its hash ('unsafe-hashes' lets a hash match a style attribute; the
    # attribute restyles one border and nothing else may match): no script, no other style.
    "admin:*_history": {"style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"]},
    # DRF's browsable API sets its "Filters" and "Extra Actions" buttons apart with
    # style="float: right; margin-right: 10px", inside a block too large to override
    # (templates/rest_framework/api.html drops its inline <style>): the same, for that attribute.
    "api:*": {"style-src-attr": ["'unsafe-hashes'", "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='"]},
}
# Powerful browser features the product never uses, off for every page and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# Django's defaults, written down because the audit asks for them: the full address only to
# our own pages, no MIME sniffing, a window of ours never shared with another site's.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Every line carries its request's id and user (burden/requestid.py, burden/logs.py): one JSON
# object a line in production, a readable line in development; LOG_FORMAT=json|text says otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
# X-Request-ID from the client is kept only behind a proxy of ours that sets it (see burden/requestid.py).
REQUEST_ID_TRUST_HEADER = env_bool("REQUEST_ID_TRUST_HEADER", TRUSTED_PROXY_COUNT > 0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "burden.logs.RequestContextFilter"}},
    "formatters": {"json": {"()": "burden.logs.JsonFormatter"}, "text": {"()": "burden.logs.TextFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
