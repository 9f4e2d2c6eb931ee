"""Settings for the CBEC Sustainability Self-Assessment.

Everything that differs between a laptop and production comes from environment variables
(django-environ). The defaults run the embedded set-up: SQLite and a Celery broker over a SQLite
file, no service to install. With ``DJANGO_DEBUG`` off the start fails loudly on a missing or
weak secret key or on missing allowed hosts, instead of running insecurely; with it on, the start
fails on a database that is not on this machine.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Optional (``make run`` writes one for development); real environment variables win.
# DJANGO_ENV_FILE reads another file instead (the tests point it at a temporary one).
ENV_FILE = BASE_DIR / os.environ.get("DJANGO_ENV_FILE", ".env")
environ.Env.read_env(ENV_FILE)
# The SQLite files, the beat schedule and private uploads by default; relative to BASE_DIR.
VAR_DIR = BASE_DIR / env.str("DJANGO_VAR_DIR", default="var")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"


def _check_secret_key(key: str) -> str:
    """Refuse to run without debug on a key an attacker could guess (Django's own W009 rule)."""
    if DEBUG:
        return key or _DEV_SECRET_KEY
    if not key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off a secret key is required: "
            "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak: use at least 50 characters with at least 5 distinct "
            "characters, not prefixed 'django-insecure-'."
        )
    return key


SECRET_KEY = _check_secret_key(env.str("DJANGO_SECRET_KEY", default=""))

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the host names served in production."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The site's own address, for links written where there is no request: reports rendered by a
# worker (the methodology and verification addresses) and reminders sent by beat.
# Default: this machine when debugging, else https:// and the first allowed host.
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
    if DEBUG
    else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_htmx",
    "axes",
    "auditlog",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "enterprises",
    "evaluations",
    "programmes",
    "audit",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditTrailMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cbec_site.urls"
WSGI_APPLICATION = "cbec_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enterprises.context_processors.enterprise_switcher",
                "enterprises.context_processors.opened_invitation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN, so two processes never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def _is_local(database: dict) -> bool:
    """SQLite, or PostgreSQL on this machine (loopback, a Unix socket directory, or no host)."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return True
    # The host may also come as ``?host=`` (then in OPTIONS), and a socket path %-encoded.
    host = unquote(str(database.get("HOST") or database.get("OPTIONS", {}).get("host") or ""))
    return database["ENGINE"] == "django.db.backends.postgresql" and (
        host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/")
    )


if DEBUG and not _is_local(DATABASES["default"]):
    # Debug pages show settings and data to anyone who triggers an error, and the demo commands
    # load known passwords: neither may reach a shared or production database.
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is on, but DATABASE_URL names a database that is not on this machine "
        f"({DATABASES['default']['ENGINE']} on host {DATABASES['default'].get('HOST')!r}). "
        "Debug mode is for a local database only (SQLite, or PostgreSQL on localhost, "
        "127.0.0.1, ::1 or a Unix socket): turn DJANGO_DEBUG off, or use a local database."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="dbcache://cbec_cache")}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (accounts/throttling.py): 5 failures for one address from one client lock
# that pair for 15 minutes, so nobody can lock someone else out from elsewhere; a browser that
# logged in to the account before is never locked; a completed password reset ends every lock
# on the address; one client failing across many addresses is limited in accounts/forms.py.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.throttling.username_from_request"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_WHITELIST_CALLABLE = "accounts.throttling.known_device"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Mail is printed on the console while debugging; in production it goes to an SMTP server
# (localhost unless EMAIL_URL names one), never silently to the console.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            option: _email[key]
            for option, key in [
                ("host", "EMAIL_HOST"),
                ("port", "EMAIL_PORT"),
                ("username", "EMAIL_HOST_USER"),
                ("password", "EMAIL_HOST_PASSWORD"),
                ("use_tls", "EMAIL_USE_TLS"),
                ("use_ssl", "EMAIL_USE_SSL"),
            ]
            if _email.get(key)
        },
    }
}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="CBEC Self-Assessment <noreply@localhost>"
)

# --- Audit trail ----------------------------------------------------------------------------
# django-auditlog writes every change that matters (the models and fields: audit/registration.py)
# to one append-only table, with who, when, what before -> after and from where (IP, user agent).
AUDITLOG_LOGENTRY_MODEL = "audit.LogEntry"
# auditlog 3.4.1's own migrations create its default entry table even when the model is swapped
# for ours; that unused table's foreign keys make PostgreSQL refuse to flush the content types
# (django-auditlog issue 804). Without migrations, Django creates no table for a swapped model.
MIGRATION_MODULES = {"auditlog": None}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The glossary's names of these regions under Chinese (中国台湾, 中国香港, 中国澳门).
COUNTRIES_OVERRIDE = {
    "TW": pgettext_lazy("country or region", "Taiwan"),
    "HK": pgettext_lazy("country or region", "Hong Kong"),
    "MO": pgettext_lazy("country or region", "Macao"),
}
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and private files ---------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# A request body larger than this is refused from its Content-Length before it is read: evidence
# files are at most 10 MB, plus the form around them. The reverse proxy must refuse the same.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=11 * 1024 * 1024)
# Uploaded evidence lives outside static and media paths; only an access-checked view serves it.
PRIVATE_FILES_ROOT = Path(env.str("PRIVATE_FILES_ROOT", default=str(VAR_DIR / "private")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message not acknowledged within the visibility timeout is redelivered; it must outlast the
    # hard time limit, or a slow task would run twice. (The SQLAlchemy transport passes its
    # options to create_engine, so they are only set for Redis.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_TASK_TIME_LIMIT * 4,
        "socket_connect_timeout": 2,
    }
# A submission must not hang on a broker that is down: fail fast, the sweep re-sends later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Three queues, each with its own workers (Procfile, `make run`): evaluations first, so that
# one tenant's burst of PDFs never delays another tenant's evaluation; reports (PDF renders and
# bulk re-scoring) on workers that may run at lower priority; mail, paced on its own.
CELERY_TASK_DEFAULT_QUEUE = "evaluations"
CELERY_TASK_ROUTES = {
    "evaluations.tasks.render_report": {"queue": "reports"},
    "evaluations.tasks.rescore_start": {"queue": "reports"},
    "evaluations.tasks.rescore_chunk": {"queue": "reports"},
    "evaluations.tasks.add_robustness_bands": {"queue": "reports"},
    "core.tasks.deliver_mail": {"queue": "mail"},
    "evaluations.tasks.send_plan_reminders": {"queue": "mail"},
    "programmes.tasks.send_reminders": {"queue": "mail"},
    "programmes.tasks.render_cohort_report": {"queue": "reports"},
    "api.tasks.deliver_webhook": {"queue": "mail"},
}
# A heartbeat through each queue (``core.dispatch.QUEUES``), taken by that queue's worker: the
# time it was taken is kept per queue (``core.liveness``), and /healthz reports each queue whose
# heartbeat was taken within WORKER_SEEN_WITHIN (an older one expires unused).
CELERY_WORKER_HEARTBEAT_KEY = "cbec:worker-heartbeat"
WORKER_HEARTBEAT_EVERY = env.float("WORKER_HEARTBEAT_EVERY_SECONDS", default=30.0)
WORKER_SEEN_WITHIN = timedelta(seconds=env.int("WORKER_SEEN_WITHIN_SECONDS", default=120))
# A worker also touches a file per queue here (the time it last took a task) when this names a
# directory on its machine: `make run`'s runner (scripts/run.py) restarts a worker whose file is
# older than WORKER_STALE_SECONDS, and `manage.py worker_alive` is the same check for systemd or
# a liveness probe. The limit outlasts the longest task (its hard time limit) and a heartbeat.
WORKER_HEARTBEAT_DIR = env.str("WORKER_HEARTBEAT_DIR", default="")
WORKER_STALE_AFTER = timedelta(seconds=env.int("WORKER_STALE_SECONDS", default=240))
CELERY_BEAT_SCHEDULE = {
    **{
        f"worker-heartbeat-{queue}": {
            "task": "core.tasks.heartbeat",
            "schedule": WORKER_HEARTBEAT_EVERY,
            "args": (queue,),
            "options": {"queue": queue, "expires": WORKER_SEEN_WITHIN.total_seconds()},
        }
        for queue in ("evaluations", "reports", "mail")
    },
    "sweep-evaluation-runs": {
        "task": "evaluations.tasks.sweep_evaluation_runs",
        "schedule": env.float("EVALUATION_SWEEP_EVERY_SECONDS", default=30.0),
    },
    "sweep-report-files": {"task": "evaluations.tasks.sweep_report_files", "schedule": 30.0},
    "refresh-peer-summaries": {
        "task": "evaluations.tasks.refresh_peer_summaries",
        "schedule": 300.0,
    },
    "plan-reminders": {
        "task": "evaluations.tasks.send_plan_reminders",
        "schedule": env.float("PLAN_REMINDER_EVERY_SECONDS", default=600.0),
    },
    # Programme reminders (programmes.services.reminders): each step once per enterprise,
    # paced, at most a batch per beat.
    "programme-reminders": {
        "task": "programmes.tasks.send_reminders",
        "schedule": env.float("PROGRAMME_REMINDERS_EVERY_SECONDS", default=900.0),
    },
    "sweep-cohort-reports": {"task": "programmes.tasks.sweep_cohort_reports", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Evaluation runs: a run queued this long without starting, or running this long without
# finishing, is sent again by the sweep; after this many attempts it fails with its reason.
EVALUATION_MAX_ATTEMPTS = 3
EVALUATION_QUEUED_STALE = timedelta(seconds=env.int("EVALUATION_QUEUED_STALE_SECONDS", default=60))
EVALUATION_UNSENT_GRACE = timedelta(seconds=10)  # a run whose send failed (broker down)
EVALUATION_RUNNING_STALE = timedelta(
    seconds=env.int("EVALUATION_RUNNING_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
)

# Improvement plan reminders (evaluations/services/plans.py): each beat sweep queues at most
# PLAN_REMINDER_BATCH e-mails, spread over the sweep's interval, so a large deployment never
# hands the mail server thousands at once; their links are made with SITE_URL.
PLAN_REMINDER_EVERY = CELERY_BEAT_SCHEDULE["plan-reminders"]["schedule"]
PLAN_REMINDER_BATCH = env.int("PLAN_REMINDER_BATCH", default=200)

# Report files (PDF). On a worker the hard limit kills the rendering process (and frees its
# memory); the soft limit before it is only a courtesy. The sweep fails a render with no result
# past the hard limit, so "try again" works at once; a file is kept for REPORT_FILE_LIFETIME.
REPORT_RENDER_SOFT_TIME_LIMIT = env.int("REPORT_RENDER_SOFT_TIME_LIMIT", default=45)
REPORT_RENDER_TIME_LIMIT = env.int("REPORT_RENDER_TIME_LIMIT", default=60)
REPORT_QUEUED_STALE = timedelta(seconds=env.int("REPORT_QUEUED_STALE_SECONDS", default=120))
REPORT_FILE_LIFETIME = timedelta(hours=env.int("REPORT_FILE_LIFETIME_HOURS", default=24))
REPORT_PRERENDER = env.bool("REPORT_PRERENDER", default=True)  # a fresh result's PDF, at once

# --- Security (on by default without debug; each can be turned off behind a TLS proxy) -------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django 6.1): only our own files; inline scripts only with the
# request's nonce; no inline styles at all (the templates use classes, SVG uses attributes).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO; a report's log needs only its warnings.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []

# --- The REST API (/api/v1/, the ``api`` app; PRODUCT.md section 11) -------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_RATE", default="600/min")},
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CBEC Sustainability Self-Assessment API",
    "DESCRIPTION": (
        "What a personal access token reaches is exactly what its person reaches on the site. "
        "Send it as `Authorization: Bearer <token>`; writes need a read-and-write token and "
        "take an `Idempotency-Key`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # ``<id:...>`` (core.converters): a database id of at most 18 digits
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}
    },
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "evaluations.models.assessments.EvaluationRun.Status",
        "AssessmentStatusEnum": "evaluations.models.assessments.Assessment.Status",
        "DeliveryStatusEnum": "api.models.Delivery.Status",
    },
}
# Webhooks: deliveries are tried this many times, waiting base x 2^(n-1) seconds between. Only
# a test with a local receiver may send to loopback or private addresses (and over http):
# refused without debug.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
if WEBHOOKS_ALLOW_PRIVATE and not DEBUG:
    raise ImproperlyConfigured("WEBHOOKS_ALLOW_PRIVATE is for tests only, never in production.")
