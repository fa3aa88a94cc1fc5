"""Forum Archive settings: one module, every deploy-time value from the environment.

Each value comes through ``env()``; README.md ("Configuration") lists every variable and
docs/deployment.md the production ones. With DEBUG off, a missing SECRET_KEY or ALLOWED_HOSTS
stops start-up rather than falling back silently.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from archive.security import add_static_headers, private_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# Local runs keep their generated values (SECRET_KEY, ALLOWED_HOSTS, ...) in an ignored file
# that `make` writes once; real environment variables always win over it.
ENV_FILE = Path(os.environ.get("FORUMARCHIVE_ENV_FILE", VAR_DIR / "local.env"))


def _read_env_file(path):
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


_FILE_VALUES = _read_env_file(ENV_FILE)
if ENV_FILE.parent == VAR_DIR:
    private_file(ENV_FILE, create=False)  # one written 0644 before `make` wrote it 0600
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name, default=None, *, cast=str, required=False):
    """Read one setting from the environment, cast it, and say clearly what is wrong."""
    raw = os.environ.get(name, _FILE_VALUES.get(name))
    if raw is None or raw == "":
        if required:
            raise ImproperlyConfigured(
                f"The environment variable {name} must be set when DEBUG is off "
                "(see docs/deployment.md)."
            )
        return default
    if cast is bool:
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")
    if cast is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    try:
        return cast(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a valid {cast.__name__}.") from exc


# --- Core -------------------------------------------------------------------------------
DEBUG = env("DEBUG", False, cast=bool)
SECRET_KEY = env("SECRET_KEY", required=not DEBUG) or "insecure-key-for-debug-only"
ALLOWED_HOSTS = env("ALLOWED_HOSTS", cast=list, required=not DEBUG) or [
    "127.0.0.1",
    "localhost",
    "[::1]",
]
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS", [], cast=list)

INSTALLED_APPS = [
    "modeltranslation",  # record texts in three languages (archive/translation.py); before admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",  # the read-only JSON API under /api/ (archive/api/)
    "drf_spectacular",  # its OpenAPI 3 description
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, no CDN
    "csp",
    "axes",
    "reversion",  # versioned history of every archive record (archive/services/history.py)
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise and the page cache, so static files and cached pages get these headers too.
    "archive.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous GETs are answered from the page cache before sessions or templates run.
    "archive.http.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "forumarchive.urls"
WSGI_APPLICATION = "forumarchive.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite by default (under var/), PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'forumarchive.sqlite3'}"),
        conn_max_age=env("CONN_MAX_AGE", 60, cast=int),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue (for up to `timeout` seconds) instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Created 0600 before SQLite opens it (its -wal and -shm files take the same mode): the
    # database holds editors' password hashes and sessions.
    private_file(DATABASES["default"]["NAME"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# The cache only accelerates: with Redis down, frozen or full the site serves uncached pages
# (archive.cache.FailOpenRedisCache: short timeouts, a 1 s circuit breaker, one log line per
# minute). Give Redis a maxmemory with maxmemory-policy allkeys-lru (docs/reliability.md).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "archive.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "forumarchive"),
            "TIMEOUT": 60 * 60,
            "OPTIONS": {
                # Seconds. A page-cache read or write takes about a millisecond; a stopped Redis
                # refuses at once, a frozen one would otherwise hold the worker until gunicorn's
                # timeout.
                "socket_connect_timeout": env("REDIS_CONNECT_TIMEOUT", 0.25, cast=float),
                "socket_timeout": env("REDIS_TIMEOUT", 0.25, cast=float),
            },
        }
    }
else:
    # A file cache, not local memory: gunicorn's workers are separate processes and must all
    # see the content version that an editor's change replaces.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(Path(env("CACHE_DIR", str(VAR_DIR / "cache")))),
            "TIMEOUT": 60 * 60,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# The page cache (archive.http.page_cache) stores a page's body compressed, only up to this many
# bytes, and at most this many query-string variants of one page per content version (?page=2,
# ?year=...), so that junk values of a known parameter cannot fill the cache either.
PAGE_CACHE_MAX_BYTES = env("PAGE_CACHE_MAX_BYTES", 1024 * 1024, cast=int)
PAGE_CACHE_MAX_VARIANTS = env("PAGE_CACHE_MAX_VARIANTS", 200, cast=int)

# --- Auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Signing in without ?next= (the lockout page, a bookmark) lands on the admin, not Django's
# /accounts/profile/ default, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"
# django-axes throttles admin logins: 5 failures for one username from one address lock that pair
# out for 15 minutes (answered 429). Keyed on the pair, not the address alone, so that editors
# behind one office address do not lock each other out, and not the username alone, so that a
# stranger cannot lock an editor out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Behind the proxies (TRUSTED_PROXY_COUNT > 0) the address is the one the outermost trusted proxy
# appended to X-Forwarded-For (archive.http.login_throttle.client_ip), never the proxy's own.
# Twenty failures from one address across usernames (password spraying) lock the address too
# (archive.http.login_throttle.PairAndAddressHandler).
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = env("AXES_ADDRESS_FAILURE_LIMIT", 20, cast=int)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "archive.http.login_throttle.PairAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "archive.http.login_throttle.client_ip"
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT", 0, cast=int)
AXES_HTTP_RESPONSE_CODE = 429
# The lockout page says how long the lock lasts and how an administrator lifts it (3 languages).
AXES_LOCKOUT_CALLABLE = "archive.http.login_throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Record translations (archive/translation.py): the plain field (`name`) is the English column,
# and an empty translation falls back to English. See docs/languages.md.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hans", "ja")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Local runs serve uploaded media from Django; production serves it from shared storage.
SERVE_MEDIA = env("SERVE_MEDIA", DEBUG, cast=bool)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365  # hashed names: cache for a year
WHITENOISE_ADD_HEADERS_FUNCTION = add_static_headers  # nosniff and CORP on static files too

# --- Upload limits ----------------------------------------------------------------------
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FIXTURE_MAX_BYTES = env("FIXTURE_MAX_BYTES", 20 * 1024 * 1024, cast=int)

# --- Security ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy in production: HTTPS_ONLY=1 turns these on.
HTTPS_ONLY = env("HTTPS_ONLY", False, cast=bool)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
if env("TRUST_X_FORWARDED_PROTO", False, cast=bool):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style anywhere (the admin of Django 5.2 has none either): everything comes
# from this site's own files. archive.security adds Cross-Origin-Resource-Policy and
# Permissions-Policy; docs/security.md explains each header.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "base-uri": [NONE],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "img-src": [SELF, "data:"],
        "manifest-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
    }
}

# --- JSON API (archive/api/) -------------------------------------------------------------
# Anonymous and read-only by design: no authentication runs, so drafts never appear, whoever asks.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The licence the archive's data is published under, as the Open data page states it. Empty
# until the editors choose one: the page then says that no licence has been stated.
OPEN_DATA_LICENCE_NAME = env("OPEN_DATA_LICENCE_NAME", "")
OPEN_DATA_LICENCE_URL = env("OPEN_DATA_LICENCE_URL", "")
# Where the data package of the whole public archive is built, one ZIP per content version
# (archive/services/data_package.py, `manage.py build_data_package`): a directory the app writes.
DATA_PACKAGE_DIR = Path(env("DATA_PACKAGE_DIR", str(VAR_DIR / "data-package")))
# The site's own address as visitors reach it ("https://forum-archive.example", no path). The
# data package build then also writes the participants list download for it, and a request to
# that address gets the file; any other address (or none set) gets the list built per request.
SITE_URL = env("SITE_URL", "")
SPECTACULAR_SETTINGS = {
    "TITLE": "Forum Archive API",
    "DESCRIPTION": (
        "Read-only, public data of the Forum Archive: forums, editions, sessions, participants, "
        "organizations, appearances, statements, topics and sources. Records are looked up by "
        "natural key (slug, or forum-number for editions). Lists are paginated (page, page_size "
        "up to 100); a query parameter an address does not take is answered 400, never ignored. "
        "Translated texts (themes, names, titles, statements) come in the language the "
        "Accept-Language header asks for (en, zh-hans or ja), each falling back to English where "
        "no translation exists; Content-Language names the language answered; ?lang=all adds every "
        "language of each translated field (`name_translations` beside `name`). Lists are ordered "
        "by the original (English) texts in every language. Every answer may be read by any "
        "origin (CORS) and carries an ETag."
    ),
    # 3.1: a nullable reference is oneOf [$ref, null]; 3.0's `nullable` beside allOf is ignored
    # by validators, so real records with a null session or organization failed them.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "archive.api.schema.add_error_responses",
        "archive.api.schema.add_languages_parameter",
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Its deploy check fails on "cannot guess the type" notes for method filters (they are strings,
    # which is right); the schema is built and checked by tests/test_api.py instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # The same notes, printed to stderr on every render of /api/schema/: a burst of log lines per
    # uncached request (while Redis is away, or for each junk query string).
    "DISABLE_ERRORS_AND_WARNINGS": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "archive.models.Organization.Kind",
        "SubForumKindEnum": "archive.models.SubForum.Kind",
        "StatementKindEnum": "archive.models.Statement.Kind",
    },
}

# --- Logging ----------------------------------------------------------------------------
# django.request errors (every 500) go to stderr with their traceback, so gunicorn logs them.
# django.security (a foreign Host header, a path escaping a folder, an oversized upload: probes,
# answered 400) is logged at WARNING, one line without traceback, at most 5 a minute per kind
# (archive.security.ProbeLogFilter).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "probes": {"()": "archive.security.ProbeLogFilter", "burst": 5, "interval": 60},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "probes": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["probes"],
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["probes"], "level": "WARNING", "propagate": False},
        "archive": {"handlers": ["stderr"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
        # django-axes logs each failed admin login and each lockout at WARNING (its start-up
        # banner is INFO, left out).
        "axes": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
