"""Every setting of the site, read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Real environment variables win over the file; DJANGO_ENV_FILE names another one.
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# No secret key ships in git: production must set one; a debug run may fall
# back to a throwaway key that is useless anywhere else.
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-key-for-local-debug-only")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "django_prose_editor",  # the rich text editor; its JS and CSS are served as our static
    "reversion",
    "reversion_compare",
    "rest_framework",  # the open data API (/api/)
    "drf_spectacular",  # its OpenAPI schema
    "drf_spectacular_sidecar",  # Swagger UI as our own static files
    "partnerships",
    "axes",
    # Last: it removes a photo's old file when it is replaced or its row deleted.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    # Access-Control-Allow-Origin on open data read anonymously: outside the page
    # cache, so a cached answer gets it or not as each request's credentials say.
    "partnerships.security.OpenDataCorsMiddleware",
    # Then: anonymous readers' pages from the cache, finished, before anything else
    # runs (partnerships.page_cache).
    "partnerships.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # ETag and Last-Modified: a reader's unchanged page is a 304 with no body.
    "django.middleware.http.ConditionalGetMiddleware",
    # Above WhiteNoise, so static files carry these headers too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "partnerships.security.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside the two above, so what they and anything above them see is the final page.
    "partnerships.middleware.FallbackNoticeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "partnerships.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "partnerships.context_processors.organisation",
                "partnerships.context_processors.language_versions",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite in the repository by default, so a fresh clone runs with no server;
# production and CI point DATABASE_URL at PostgreSQL (postgres://…).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that is down, hung or slow costs a visitor seconds, not a worker:
# connecting, each statement and each wait for an answer are bounded (libpq's
# connect_timeout is at least 2 s), and the page is the 503 of
# partnerships.middleware.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    statement_timeout = env.int("DJANGO_DB_STATEMENT_TIMEOUT", default=3)
    # Django's backend, plus a bound on waiting for answers on an open connection.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env.int("DJANGO_DB_CONNECT_TIMEOUT", default=3),
        "options": f"-c statement_timeout={statement_timeout}s",
        # The server reports its own statement timeout first; a second more, and
        # it is taken as not answering at all.
        "answer_timeout": statement_timeout + 1 if statement_timeout else None,
        **DATABASES["default"].get("OPTIONS", {}),
    }

# The cache: local memory by default (one process); under gunicorn with several
# workers, a file cache they share (config/gunicorn.py); CACHE_URL=redis://host:6379/0
# shares one between every worker and app server (README "Scaling").
_shared_cache_dir = env.str("GUNICORN_SHARED_CACHE_DIR", default="")
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=f"filecache://{_shared_cache_dir}?max_entries=2000"
        if _shared_cache_dir
        else "locmemcache://?max_entries=1000",
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "config.redis_cache.RedisCache"  # one client per pool
# Answers to searches, kept apart from the pages: any words may be searched for,
# and a flood of them then pushes out other searches only. In each process's
# memory; the tokens they are kept under are in "default", shared by every server.
CACHES["search"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "search-answers",
    "OPTIONS": {"MAX_ENTRIES": env.int("SEARCH_CACHE_ENTRIES", default=500)},
}
# Each process's copies of the pages it last served from the shared cache: a
# hit then reads only the pages' tokens from there (partnerships.page_cache).
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "page-copies",
    "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_LOCAL_ENTRIES", default=300)},
}
# Public pages are kept whole for anonymous readers for up to this many seconds,
# and dropped at once when what they show changes (partnerships.page_cache);
# 0 turns the page cache off. Off by default while DEBUG, so template edits show.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 600)

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin logins are throttled (django-axes): after DJANGO_LOGIN_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is refused until the
# cool-off has passed or `manage.py axes_reset_username …` lifts it (README).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
# 0 locks until an administrator lifts the lock.
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15)) or None
# What is counted together: "+" joins parameters, "," adds another count, e.g.
# "username+ip_address,ip_address" also locks an address that tries many usernames.
AXES_LOCKOUT_PARAMETERS = [
    group.split("+")
    for group in env.list("DJANGO_LOGIN_LOCKOUT_BY", default=["username+ip_address"])
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partnerships.logins.lockout_response"
AXES_CLIENT_IP_CALLABLE = "partnerships.logins.client_ip"
# How many reverse proxies in front of the site append to X-Forwarded-For; 0 trusts
# only the connection's own address. Set it only if the site is unreachable around them.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# The log names who tried and from where (never the password); lockouts are read
# and lifted with the axes_* commands, so axes's own admin pages stay off.
AXES_SENSITIVE_PARAMETERS = []
AXES_VERBOSE = False  # log only the username and address, and no banner at start-up
AXES_ENABLE_ADMIN = False

# English is the source language; every page also exists in each of the other
# languages (/fr/…, /es/…, /ja/…). Adding one here, then `makemigrations`, adds
# its content columns, URL prefix, switcher entry and admin fields.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ja", "日本語")]
# Translations no one in the organisation has approved yet (e.g. loaded from a
# fixture) are shown to readers unless this is off; then English stands in.
SHOW_UNREVIEWED_TRANSLATIONS = env.bool("SHOW_UNREVIEWED_TRANSLATIONS", default=True)

# The organisation that publishes the partner pages, by language
# (ORGANISATION_NAME, ORGANISATION_NAME_FR, …, and ORGANISATION_SHORT_NAME…);
# a language without one uses English.
_ORGANISATION_NAME_DEFAULTS = {
    "en": "International Labour Organization",
    "fr": "Organisation internationale du Travail",
    "es": "Organización Internacional del Trabajo",
    "ja": "国際労働機関",
}
_ORGANISATION_SHORT_NAME_DEFAULTS = {"en": "ILO", "fr": "OIT", "es": "OIT", "ja": "ILO"}


def _by_language(variable, defaults):
    return {
        code: env(
            variable + ("" if code == LANGUAGE_CODE else "_" + code.upper().replace("-", "_")),
            default=defaults.get(code, ""),
        )
        for code, _name in LANGUAGES
    }


ORGANISATION_NAMES = _by_language("ORGANISATION_NAME", _ORGANISATION_NAME_DEFAULTS)
ORGANISATION_SHORT_NAMES = _by_language(
    "ORGANISATION_SHORT_NAME", _ORGANISATION_SHORT_NAME_DEFAULTS
)
# The organisation's main site, linked from every page's header and footer.
ORGANISATION_URL = env.str("ORGANISATION_URL", default="https://www.ilo.org/")
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files and photos are served from this site by default. With several app
# servers (README "Scaling"), static files may come from the organisation's CDN
# (DJANGO_STATIC_URL=https://cdn.example.org/static/) and photos from object storage
# every server shares (DJANGO_MEDIA_STORAGE, a storage backend such as
# django-storages' "storages.backends.s3.S3Storage", with its options as JSON in
# DJANGO_MEDIA_STORAGE_OPTIONS, and DJANGO_MEDIA_URL); the CSP allows their origins.
STATIC_URL = env.str("DJANGO_STATIC_URL", default="static/")
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Photos: uploads over these limits are refused (the pixel limit guards
# against decompression bombs: small files that decode to huge images).
PHOTO_MAX_BYTES = env.int("DJANGO_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("DJANGO_PHOTO_MAX_PIXELS", default=40_000_000)
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "DJANGO_MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("DJANGO_MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Security. HTTPS-only settings are on unless DEBUG is; a deployment that
# terminates TLS elsewhere and serves plain HTTP can turn them off.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"


def _origins(*urls):
    """The origins of the absolute ones among `urls` (a CDN's, object storage's)."""
    return sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls) if p.netloc})


# Everything the site and the admin load comes from this origin (or the CDN and
# object storage named above): no inline script or style, no plugin, no
# framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *_origins(STATIC_URL)],
        "style-src": [SELF, *_origins(STATIC_URL)],
        "img-src": [SELF, *_origins(STATIC_URL, MEDIA_URL)],
        "font-src": [SELF, *_origins(STATIC_URL)],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The open data API (partnerships.api): read-only, JSON, for anyone. No
# authentication at all, so a logged-in editor's session changes nothing there
# (the API shows published rows only) and CSRF does not apply.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnerships open data API",
    "DESCRIPTION": (
        "The published content of the partner pages, read-only: partners and each of "
        "their collections. Every text in every language (`title`, `title_fr`, …); the "
        "same rows and values as the CSV and JSON downloads on each list page."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # from drf-spectacular-sidecar's static files, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge (an image from another site); GET is all there is.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "validatorUrl": None,
        "supportedSubmitMethods": ["get"],
    },
}

# Browser features the site never uses, turned off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
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
        "usb",
        "xr-spatial-tracking",
    ]
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Failed and successful admin logins, whatever the level above.
    "loggers": {"axes": {"level": "INFO"}},
}
