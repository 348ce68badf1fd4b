"""One settings module; everything that differs between machines comes from the environment."""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """KEY=VALUE lines of a .env file, for variables the environment does not already set."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        value = value.strip().strip("'\"")
        if sep and value and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value)


load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "simple_history",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "hotline.apps.AxesConfig",  # django-axes, with a translated name in the admin
    "csp",
    "django_guid",
    "django_tasks",
    "hotline.apps.TasksConfig",  # django-tasks' database queue, with a translated name
    "hotline",
    "reports",
    "api",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id, and so does the response.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Before every middleware that reads or writes a body: it compresses what they made.
    "hotline.middleware.CompressionMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.middleware.ReadOnlyCorsMiddleware",
    "api.middleware.DeprecationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "hotline.outages.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"

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
                "reports.open_data.licence_context",
            ],
        },
    },
]

# A SQLite file by default so that a newcomer needs nothing else; PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL: readers never wait for a writer, so an import blocks no page. IMMEDIATE:
            # a write takes the lock when its transaction begins, and waits for it up to the
            # busy timeout, rather than failing at once when two transactions both upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            # Seconds a write waits for another (an import) before "database is locked"; the
            # writer then reads that an import is running (hotline.outages).
            "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        }
    )

# PostgreSQL: DATABASE_POOL_SIZE > 0 gives each process a pool of that many connections
# (psycopg-pool), each checked before it is handed out (conn_health_checks), so that one the
# server dropped is replaced rather than failing a request. The budget: README "Deploying".
DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "0"))
_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _postgresql and DATABASE_POOL_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections, not Django
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        # Seconds a request waits for a connection before it fails (a 503).
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }  # checked before use: Django passes the pool a check with conn_health_checks

# PostgreSQL: a statement a connection has run DATABASE_PREPARE_THRESHOLD times is prepared
# on the server (psycopg's prepared statements, which need server-side binding), so that the
# lists' many-table joins are planned once per connection, not on every request. "off" for a
# pooler that cannot keep them (PgBouncer before 1.21 in transaction mode).
DATABASE_PREPARE_THRESHOLD = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")
if _postgresql and DATABASE_PREPARE_THRESHOLD != "off":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(DATABASE_PREPARE_THRESHOLD)
    )

# Allocations between two collections of Python's youngest objects (700 is Python's own; 0
# turns automatic collection off), set by hotline.apps in every process of the site: README
# "Performance" measures what 700 cost a render and an export.
GC_YOUNG_THRESHOLD = int(os.environ.get("GC_YOUNG_THRESHOLD", "10000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Several instances share one Redis, so that a page rendered by one is served by all; one
# instance alone keeps its cache in memory. Keys carry the data's version (reports/caching.py):
# a correction is seen at once everywhere without deleting anything.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis that is down or hung is a cache miss, never an error (hotline.cache_guard).
            "BACKEND": "hotline.cache_guard.GuardedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hotline"),
            # Short: a hung Redis must not hold a worker; the guard then skips it for a while.
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    # Each process's own memory, bounded: a rendered page is tens to hundreds of kB.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "100"))},
        }
    }
# Versions of the published data are kept in the cache when every process shares it
# (hotline.freshness): a cached page then runs no query.
FRESHNESS_IN_CACHE = bool(REDIS_URL)
# Without Redis, each process keeps them in its memory, and a write makes this file one byte
# longer when it commits, which every process of the machine looks at: a cached page then runs
# no query either. "off" for instances on several machines that share a database but no Redis
# (each then reads the versions from the database on every request).
FRESHNESS_SIGNAL_FILE = os.environ.get("FRESHNESS_SIGNAL_FILE", "").strip() or str(
    BASE_DIR / "var" / "freshness-signal"
)
if REDIS_URL or FRESHNESS_SIGNAL_FILE == "off":
    FRESHNESS_SIGNAL_FILE = ""
# Seconds a rendered public page is kept server-side; 0 turns the page cache off. Outdated
# versions are never served, so this only bounds the cache's size.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "86400"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
# Where `collectstatic` writes; the tests point it at an empty folder, so that a developer's
# collected (perhaps outdated) copy never decides what a test sees.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served by the application itself (whitenoise), compressed and under hashed
# names once collected: no CDN, no separate file server to configure.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "hotline.static_storage.HashedStaticFiles"},
}

LOGIN_URL = "admin:login"

# Behind a proxy that terminates TLS (see README, "Deploying").
if env_bool("BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# -- Security (README, "Deploying"). HTTPS-only settings follow DEBUG: a local site is plain
# HTTP, production is HTTPS only.
HTTPS_ONLY = not DEBUG
# Off only where a proxy already redirects and talks plain HTTP to gunicorn without
# X-Forwarded-Proto, or for a test server on plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_HTTPONLY = True
# The language switch's cookie, like the others: HTTPS only, not sent by other sites' forms,
# not read by scripts.
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# The admin's forms read the token from the page, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Turning preload off is a deliberate choice (the domain is not to enter browsers' preload
# list), not an oversight for `check --deploy` to warn about.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of this site uses, refused to it and to anything it embeds
# (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# No inline script anywhere: chart data sits in <script type="application/json"> blocks, which
# are data, not scripts. No <style> elements either; style="" attributes are allowed because
# django-simple-history's history list writes one (they cannot run script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# -- Logging (README, "Deploying"): one JSON object a line on stderr, for journald or any log
# collector; each line of a request carries its id (X-Request-ID, also sent back to the
# client so that a user can quote it). Every unhandled error is logged once, with its
# traceback, by Django's django.request logger through the root handler.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
DJANGO_GUID = {
    # A sane X-Request-ID from the proxy (nginx's $request_id, a UUID) is kept; anything else
    # is replaced by a new id.
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,  # it would overwrite CORS_EXPOSE_HEADERS, which lists it
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": "django_guid.log_filters.CorrelationId",
            "correlation_id_field": "request_id",
        },
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (console when DEBUG, mail_admins) off: its records reach the
        # root handler, once.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # A line per request saying that an id was made, or that a client's was replaced
        # (with what the client sent): noise.
        "django_guid": {"level": "ERROR"},
        # WeasyPrint logs every step of every PDF at INFO, and CSS it ignores at WARNING.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

# -- Logins: django-axes locks out a username from an address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hotline.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "hotline.security.client_ip"
# Addresses the proxy appends to X-Forwarded-For; 0 when gunicorn faces the clients itself.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_HTTPS_PROXY") else "0")
)
# Where the proxy's requests come from: X-Forwarded-For is read only from these (a client that
# reaches gunicorn directly would write it itself).
TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1")

# -- Large downloads (hotline.download_store): each version written once to a file here, then
# sent from it; by nginx when DOWNLOADS_ACCEL_REDIRECT names the internal location that maps
# to this directory (README "Deploying").
DOWNLOADS_DIR = Path(os.environ.get("DOWNLOADS_DIR") or BASE_DIR / "var" / "downloads")
# A record list's workbook (XLSX) of more records than this is written by a background job, not
# in the reader's request: about a second of work at this length (the whole register, 100,000
# records, took 17 s and held a web worker all along). Its CSV and JSON stream in the request.
DOWNLOAD_BACKGROUND_ROWS = int(os.environ.get("DOWNLOAD_BACKGROUND_ROWS", "5000"))
DOWNLOADS_ACCEL_REDIRECT = os.environ.get("DOWNLOADS_ACCEL_REDIRECT", "")
# The site's public address (https://hotline.example.gov.cn), printed in downloads made
# without a reader's request: with it, a publication queues its PDF and long workbooks at once
# (reports.prewarm); without it, each is made when its first reader asks.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/?#\s]+", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL must be a scheme and a host (https://hotline.example.gov.cn), not {SITE_URL!r}."
    )
if SITE_URL:  # the files made for it are read as requests to it
    ALLOWED_HOSTS.append(urlsplit(SITE_URL).hostname)

# -- Uploads (imports): refused above these sizes, before the file is read whole.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
# The most rows the admin imports in one request: preview and confirm each read the whole file
# within gunicorn's timeout (README, "Import and export"). Counted as the file is read.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "50000"))
# Where the admin keeps an upload between preview and confirmation (random names, this site's
# own directory), and how long an unconfirmed one is kept.
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR") or BASE_DIR / "var" / "imports")
IMPORT_UPLOAD_MAX_AGE_HOURS = float(os.environ.get("IMPORT_UPLOAD_MAX_AGE_HOURS", "24"))
# Larger uploads go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields other than files (the figure grid posts a few hundred cells).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# -- Background jobs (README, "Deploying"): Django's Tasks framework (the django-tasks backport
# on 5.2) with its database backend, so that SQLite needs no other service and PostgreSQL gets
# a durable queue; `manage.py db_worker` runs them. Two queues, each with workers of its own:
# "default" for the imports, "downloads" (hotline.download_store.QUEUE) for the files readers
# wait for (the report's PDF, the province's workbook), never queued behind a long import.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "downloads"],
    }
}
# An admin import of more rows than this runs as a job (preview, then confirm), with progress:
# about 5 s of work on a 2-core machine at worst (README, "Import and export"). Counted as read.
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "5000"))
# A running import job with no progress for this long is taken for dead (its worker killed):
# it is marked failed, and since its transaction never committed, nothing was written.
IMPORT_JOB_STALE_SECONDS = int(os.environ.get("IMPORT_JOB_STALE_SECONDS", "120"))

ADMIN_SITE_HEADER = _("12345 Hotline Records")

# The public API (api/, README "API").
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/min").strip()
if API_ANON_RATE.lower() in {"", "0", "off", "none"}:
    API_ANON_RATE = None  # throttling off, e.g. for the schemathesis run in CI
# Seconds a browser or a shared cache may keep a public page or API answer: short, so that a
# correction is seen within minutes (API_CACHE_MAX_AGE is its former name).
PUBLIC_CACHE_MAX_AGE = int(
    os.environ.get("PUBLIC_CACHE_MAX_AGE") or os.environ.get("API_CACHE_MAX_AGE") or "300"
)

# The licence of the published data (open data, README "Open data"): the data owner's decision.
# Shown on every public page and in every package and catalogue. The default is a statement,
# not a licence: published government information, to be reused with its source.
# OPEN_DATA_LICENSE is an Open Definition id (CC-BY-4.0, ODC-BY-1.0, other-at, ...).
OPEN_DATA_LICENSE = os.environ.get("OPEN_DATA_LICENSE", "").strip() or "other-at"
OPEN_DATA_LICENSE_TITLE = os.environ.get("OPEN_DATA_LICENSE_TITLE", "").strip() or _(
    "Published government information: free to reuse, citing the city's 12345 hotline annual "
    "report as its source"
)
OPEN_DATA_LICENSE_URL = os.environ.get("OPEN_DATA_LICENSE_URL", "").strip()
OPEN_DATA_PUBLISHER = os.environ.get("OPEN_DATA_PUBLISHER", "").strip() or _(
    "12345 government service hotlines of Jiangsu's cities"
)

REST_FRAMEWORK = {
    # Token first, so that an anonymous write gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ModelPermissionsOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "api.renderers.CSVRenderer",
    ],
    # JSON only: a form's fields are all text, so a form could not say 2024 from "2024" or true
    # from "true", which the schema tells apart (any other body is a 415).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",  # numbers with the decimals they are written with
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.filters.OrderingFilter",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.renderers.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    # Report models have no `objects` (see AnnualReport): path parameters read the default one.
    "DEFAULT_QUERY_MANAGER": "_default_manager",
    "TITLE": "12345 Hotline Records API",
    "DESCRIPTION": (
        "Published figures and records of the annual reports of the 12345 government service "
        "hotlines of Jiangsu's cities. Anyone may read published data; staff write with a token. "
        "Every list also answers `?format=csv` (UTF-8 with BOM)."
    ),
    "VERSION": "1.2.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Self-hosted assets (drf-spectacular-sidecar): the docs pages load nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise send the schema to validator.swagger.io for a badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.describe_parameters",
        "api.schema.describe_operations",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "hotline.models.reports.AnnualReport.Status",
        "IndicatorKindEnum": "hotline.models.catalogue.Indicator.Kind",
        "ChangeKindEnum": "hotline.models.catalogue.Indicator.ChangeKind",
        "RegionLevelEnum": "hotline.models.regions.Region.Level",
        "DepartmentKindEnum": "hotline.models.regions.Department.Kind",
        "AppealTypeEnum": "hotline.models.reports.AppealCount.AppealType",
    },
}

# Other agencies' browser applications may read the API; they cannot write through CORS
# (api.middleware refuses CORS for anything but GET, HEAD and OPTIONS).
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After", "X-Request-ID"]
