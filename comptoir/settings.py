"""Comptoir settings. Configuration only: everything varies through environment variables.

DATABASE_URL picks the database (SQLite file under var/ by default, PostgreSQL in production).
"""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMPTOIR_VAR_DIR", BASE_DIR / "var"))


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on", "oui")


def _env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file NAME_FILE names (Docker and systemd credentials)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


# The development key lets the demo and the tests run with nothing set. The production server refuses
# to start with it (core/deployment.py), and `check --deploy` reports it.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
SECRET_KEY = _env_secret("COMPTOIR_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
DEBUG = _env_flag("COMPTOIR_DEBUG")
ALLOWED_HOSTS = _env_list("COMPTOIR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Deployment behind HTTPS (docs/deployment.md). Every one of these is off for the demo on plain HTTP.
# - The origins a browser posts forms from, with their scheme: "https://erp.example.fr".
CSRF_TRUSTED_ORIGINS = _env_list("COMPTOIR_CSRF_TRUSTED_ORIGINS")
# - The TLS reverse proxy says a request came over HTTPS in X-Forwarded-Proto (it must set the header
#   itself, overwriting any the client sent: Caddy and the nginx example do).
if _env_flag("COMPTOIR_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# - The site is served over HTTPS only: cookies never travel in clear, plain HTTP is redirected (except
#   the health probes, which a load balancer asks over HTTP), and browsers are told to remember it.
HTTPS = _env_flag("COMPTOIR_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and _env_flag("COMPTOIR_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("COMPTOIR_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("COMPTOIR_HSTS_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_flag("COMPTOIR_HSTS_PRELOAD")
# No script reads a cookie: htmx sends the CSRF token from the page (base.html), not from the cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A working day and then some; a closed browser does not end it (people leave a tab open overnight).
SESSION_COOKIE_AGE = int(Decimal(os.environ.get("COMPTOIR_SESSION_HOURS", "12")) * 3600)

INSTALLED_APPS = [
    # First, so that its management commands replace Django's `createsuperuser` and `changepassword`:
    # accounts change only through Comptoir's audited services (core/users.py). There is no Django
    # admin for the same reason.
    "comptoir.core",
    "django.contrib.auth",
    "axes",  # sign-in throttling (see AXES_* below)
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "ninja",  # serves the API docs' assets locally (no CDN)
    "comptoir.parties",
    "comptoir.catalog",
    "comptoir.crm",
    "comptoir.pricing",
    "comptoir.sales",
    "comptoir.stock",
    "comptoir.accounting",
    "comptoir.billing",
    "comptoir.payments",
    "comptoir.returns",
    "comptoir.imports",
    "comptoir.vatreturn",
    "comptoir.assistant",
    "comptoir.scheduling",
    "comptoir.archive",
    "comptoir.intake",
    "comptoir.mailing",
    "comptoir.onboarding",
    "comptoir.aftersales",
    "comptoir.insights",
    "comptoir.web",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer whatever the Host header a probe sends, before any other work;
    # then every request gets its id (X-Request-ID, in every log line of it and on the 500 page).
    "comptoir.web.health.HealthMiddleware",
    "comptoir.core.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # French unless the user chose English in the user menu; Accept-Language is ignored (see the module).
    "comptoir.web.language.ChosenLanguageMiddleware",
    # 413 for a body over its limit (below), before CSRF, authentication or a view reads it.
    "comptoir.request_size.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # No company yet: every page leads to the first-run screen, the API answers company_not_set_up.
    "comptoir.web.first_run.FirstRunMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
# While no company exists, pages lead to /premiers-pas/ (comptoir/web/first_run.py). The tests turn it
# off (conftest.py) except the first run's own.
FIRST_RUN_REDIRECT = True
WSGI_APPLICATION = "comptoir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "comptoir.web.context.navigation",
            ],
        },
    }
]


def _database_from_env() -> dict:
    default_sqlite = f"sqlite:///{VAR_DIR / 'comptoir.sqlite3'}"
    if "DATABASE_URL" not in os.environ:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    return _database(os.environ.get("DATABASE_URL", default_sqlite))


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, so two writers never both read a
        # counter (invoice number, stock level) before one of them writes it: SQLite's answer to
        # SELECT ... FOR UPDATE. WAL lets readers go on while a writer works.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif config["ENGINE"].startswith("django.db.backends.postgresql"):
        # Short OLTP queries only: PostgreSQL's JIT compiles any plan it guesses expensive (a list over
        # 100,000 invoices) and that compilation alone cost ~300 ms on the home page; it never pays here.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        # A connection kept across requests (each gunicorn thread keeps its own): opening one cost more
        # than the whole token check of an API request under load (bench/load.py), and statements
        # prepared on it (below) only pay off if it lives on. COMPTOIR_DB_CONN_MAX_AGE=0 closes it after
        # each request (a pooler such as PgBouncer in front may prefer that); a dead one is replaced.
        config["CONN_MAX_AGE"] = int(os.environ.get("COMPTOIR_DB_CONN_MAX_AGE", "300"))
        config["CONN_HEALTH_CHECKS"] = True
        # Planning, not executing, was half of the server's time on the order-to-cash path: every
        # business action runs the same few dozen short statements. Server-side binding lets psycopg
        # prepare a statement once it has run `prepare_threshold` times on a connection, so PostgreSQL
        # plans it once. COMPTOIR_PG_PREPARE=0 turns it off (a pooler in transaction mode that does
        # not track prepared statements: PgBouncer before 1.21).
        threshold = os.environ.get("COMPTOIR_PG_PREPARE", "5")
        if threshold not in ("", "0"):
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", int(threshold))
    return config


DATABASES = {"default": _database_from_env()}
# A PostgreSQL streaming replica of the same database (docs/scaling.md): the report views read it through
# core.replica.reading(); everything else stays on the primary. Under test it is the test database itself.
REPLICA_URL = os.environ.get("COMPTOIR_REPLICA_URL", "")
if REPLICA_URL:
    DATABASES["replica"] = _database(REPLICA_URL) | {"TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["comptoir.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
# Sign-in throttling (django-axes, core/login_throttle.py). Each failed sign-in is counted against the
# account (from any address: a botnet guessing one password) and against the address (whatever the
# account: one machine trying common passwords on every name). Either reaching the limit within the
# cool-off refuses sign-ins, right password or not, until the cool-off has passed since the last failure
# or direction/an administrator unlocks (audited). Failures while locked are not counted, so hammering
# a locked account does not keep it locked for ever; a successful sign-in clears its counts. Not by the
# pair (account, address): an attacker changing address would then never be stopped. Behind reverse
# proxies, COMPTOIR_PROXY_COUNT says how many, so the address is the client's, not the proxy's.
AUTHENTICATION_BACKENDS = [
    "comptoir.core.login_throttle.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("COMPTOIR_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("COMPTOIR_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "comptoir.web.views.account.locked_out"
AXES_CLIENT_IP_CALLABLE = "comptoir.core.login_throttle.client_address"
COMPTOIR_PROXY_COUNT = int(os.environ.get("COMPTOIR_PROXY_COUNT", "0"))
# Successful sign-ins are not logged by axes (the failures are what throttling needs); no axes admin.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# API tokens (core/tokens.py) expire: the lifetime is chosen at creation, this many days unless said
# otherwise, never more than the maximum.
API_TOKEN_DAYS = int(os.environ.get("COMPTOIR_API_TOKEN_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("COMPTOIR_API_TOKEN_MAX_DAYS", "365"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "comptoir" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Off: with it, a raw `{{ invoice.pk }}` renders as "1 234" once ids pass 999 and every form field,
# hx-vals and link built from an id breaks. Amounts, quantities and rates go through the explicit
# French filters of `web/templatetags/comptoir_format.py`, which group thousands themselves.
USE_THOUSAND_SEPARATOR = False

# Request size (comptoir/request_size.py answers 413 past these, API and web alike).
# - JSON and form bodies are held in memory whole: 2 MiB is ~20 times the largest document the API takes
#   (1,000 lines of a receipt or a quote, about 100 KB) and every web form, yet small enough that a burst
#   of oversized requests cannot exhaust a worker's memory.
# - Multipart requests carry files (return photos and scans, 15 MB each at most, `returns.services`; order
#   PDFs to come): up to COMPTOIR_MAX_UPLOAD_MB (50 by default) in total, so three full-size files fit in one
#   request. Their non-file fields stay under the 2 MiB above, and files past FILE_UPLOAD_MAX_MEMORY_SIZE
#   are streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
COMPTOIR_MAX_UPLOAD_SIZE = int(os.environ.get("COMPTOIR_MAX_UPLOAD_MB", "50")) * 1024 * 1024
# One received document (intake: an order file, by the page, the API or the CLI). Past it the file is
# refused, not kept: it would be kept in the database, which the limit protects.
COMPTOIR_INTAKE_MAX_FILE_SIZE = int(os.environ.get("COMPTOIR_INTAKE_MAX_FILE_MB", "20")) * 1024 * 1024
# The mailbox intake polls (`comptoir intake fetch-mail`, and the « intake_mail » job): nothing is polled
# while the host is empty. Security: « tls » (implicit, port 993), « starttls » (143) or « none » (a local
# test server only). Messages read go to the processed folder, those that fail to the error folder: none is
# ever deleted. CA_FILE: the certificate authority to trust instead of the system's (a private one).
COMPTOIR_INTAKE_IMAP = {
    "host": os.environ.get("COMPTOIR_INTAKE_IMAP_HOST", ""),
    "port": int(os.environ.get("COMPTOIR_INTAKE_IMAP_PORT", "0") or 0),
    "security": os.environ.get("COMPTOIR_INTAKE_IMAP_SECURITY", "tls"),
    "user": os.environ.get("COMPTOIR_INTAKE_IMAP_USER", ""),
    "password": _env_secret("COMPTOIR_INTAKE_IMAP_PASSWORD"),
    "folder": os.environ.get("COMPTOIR_INTAKE_IMAP_FOLDER", "INBOX"),
    "processed_folder": os.environ.get("COMPTOIR_INTAKE_IMAP_PROCESSED_FOLDER", "Comptoir-traites"),
    "error_folder": os.environ.get("COMPTOIR_INTAKE_IMAP_ERROR_FOLDER", "Comptoir-erreurs"),
    "ca_file": os.environ.get("COMPTOIR_INTAKE_IMAP_CA_FILE", ""),
    "timeout": int(os.environ.get("COMPTOIR_INTAKE_IMAP_TIMEOUT", "60")),
}

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True
# Files are found once at start-up (in the apps, and in STATIC_ROOT after `comptoir collectstatic`);
# the development server (DEBUG) looks again on each request.
WHITENOISE_AUTOREFRESH = DEBUG
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only install: WhiteNoise then serves from the apps alone
    pass

# Content-Security-Policy (django-csp): the pages load scripts, styles, fonts and images from Comptoir
# itself and nothing else; no inline script or style, no eval (htmx's is turned off in base.html).
# Browsers refuse whatever an injected string would add. `data:` images are the favicon placeholder and
# the charts' inline SVG. The API docs page (django-ninja's Swagger UI) obeys the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
}

# The audit chain is sealed with a key kept outside the database (core/audit_key.py): COMPTOIR_AUDIT_KEY
# (hex, e.g. from a secrets manager) or the key file, created on first use. Back it up apart from the
# database. Signed checkpoints of the chain's end go to the checkpoint file (core/checkpoints.py).
AUDIT_KEY = os.environ.get("COMPTOIR_AUDIT_KEY", "")
AUDIT_KEY_SINCE = int(os.environ.get("COMPTOIR_AUDIT_KEY_SINCE", "1"))
AUDIT_KEY_FILE = Path(os.environ.get("COMPTOIR_AUDIT_KEY_FILE", VAR_DIR / "audit.key"))
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("COMPTOIR_AUDIT_CHECKPOINTS", VAR_DIR / "audit-checkpoints.jsonl")
)
# What verify-audit checks of the documents against their events (core/integrity.py).
AUDIT_DOCUMENT_CHECKS = [
    "comptoir.billing.integrity.check",
    "comptoir.payments.integrity.check",
    "comptoir.accounting.integrity.check",
]

# What other areas add to the year-end checklist (`accounting.closing.checklist`): each a function
# (first day, last day) -> list of items, so accounting imports no business area.
CLOSING_CHECKS = ["comptoir.billing.closing.draft_documents"]

# Background work (the billing agent) is queued in the database and run by `comptoir db-worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Periodic jobs (comptoir/scheduling): `comptoir scheduler` enqueues the due ones every tick (seconds).
SCHEDULER_TICK = int(os.environ.get("COMPTOIR_SCHEDULER_TICK", "30"))
# An import file of more rows than this is tested and imported by the task worker (imports.background).
COMPTOIR_IMPORT_BACKGROUND_ROWS = int(os.environ.get("COMPTOIR_IMPORT_BACKGROUND_ROWS", "5000"))
# Daily backups (the "backup" job, `comptoir backup`): where, and what to keep ("14d", "10" or "14d,10").
BACKUP_DIR = Path(os.environ.get("COMPTOIR_BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP = os.environ.get("COMPTOIR_BACKUP_KEEP", "14d")

# Reminder e-mails: files under var/outbox unless an SMTP server is configured, so the demo never tries
# to reach the internet and every message sent can be read back.
# Setting COMPTOIR_EMAIL_HOST switches to SMTP: port, STARTTLS or implicit TLS, login and password (or
# COMPTOIR_EMAIL_PASSWORD_FILE) as the provider gives them. 587 + STARTTLS is the usual submission port.
EMAIL_HOST = os.environ.get("COMPTOIR_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "COMPTOIR_EMAIL_BACKEND",
    "comptoir.mailing.backend.EmailBackend"  # Django's SMTP backend, keeping the refused recipients
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = int(
    os.environ.get("COMPTOIR_EMAIL_PORT", "587" if os.environ.get("COMPTOIR_EMAIL_HOST") else "25")
)
EMAIL_USE_SSL = _env_flag("COMPTOIR_EMAIL_USE_SSL")
EMAIL_USE_TLS = (
    _env_flag("COMPTOIR_EMAIL_USE_TLS", bool(os.environ.get("COMPTOIR_EMAIL_HOST"))) and not EMAIL_USE_SSL
)
EMAIL_HOST_USER = os.environ.get("COMPTOIR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = _env_secret("COMPTOIR_EMAIL_PASSWORD")
EMAIL_TIMEOUT = int(os.environ.get("COMPTOIR_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("COMPTOIR_FROM_EMAIL", "comptabilite@comptoir.invalid")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Logs go to the standard error, one line per record, each with the id of the request it belongs to;
# COMPTOIR_LOG_FORMAT=json makes each line a JSON object for a log collector (core/request_log.py).
LOG_FORMAT = os.environ.get("COMPTOIR_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "comptoir.core.request_log.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("COMPTOIR_LOG_LEVEL", "WARNING")},
    # Django's request errors (500s, with their trace) reach the log, never the page.
    "loggers": {"django": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

# The production server (`comptoir serve`, gunicorn): where it listens, how many processes and threads.
SERVE_BIND = os.environ.get("COMPTOIR_BIND", "127.0.0.1:8000")
SERVE_WORKERS = int(os.environ.get("COMPTOIR_WORKERS", "2"))
SERVE_THREADS = int(os.environ.get("COMPTOIR_THREADS", "4"))
SERVE_TIMEOUT = int(os.environ.get("COMPTOIR_TIMEOUT", "60"))
# /readyz fails when the task worker has not been seen for this long (the scheduler pings it every minute).
READY_WORKER_SECONDS = int(os.environ.get("COMPTOIR_READY_WORKER_SECONDS", "300"))
