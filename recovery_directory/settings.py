"""Settings for the Mutual Aid Directory.

One file, driven by environment variables (documented in .env.example). With nothing set it runs
on a SQLite file with DEBUG on, so `make run` works on a fresh machine. With DEBUG off it refuses
to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the directory will not start without it: "
            "set SECRET_KEY to a long random string (see .env.example)."
        )
    # Development only: never used when DEBUG is off (see the check above).
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. With DEBUG off the directory will not start without it: "
            "set ALLOWED_HOSTS to the site's host names, comma-separated (see .env.example)."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# A search may repeat a parameter (?type=O&type=X…); the form, not the request parser, decides
# how many are too many and says so. Above this the request is refused with a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500

SITE_NAME = os.environ.get("SITE_NAME", "Mutual Aid Directory")
# The site's public address, for links in exports made by commands (export_meetings).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "groups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # With a map tile server set (MAP_TILE_URL), images may also come from its host (groups.maps).
    "groups.maps.TileServerPolicyMiddleware",
    # Static files from the app itself (no separate file server needed), compressed and, with
    # DEBUG off, with hashed names cached for ever (whitenoise's ten years, immutable).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, JSON and the streamed feeds gzipped (with Django's BREACH mitigation); below
    # whitenoise, so that static files, already compressed (or not worth it), pass it by.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the address's prefix (/es/, /fr/), else the `lang` cookie, else the
    # browser's Accept-Language; an unprefixed page asked for in another language is sent to
    # that language's address (groups.languages).
    "django.middleware.locale.LocaleMiddleware",
    "groups.languages.LanguageAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Permissions-Policy: the position only where "Use my location" is, nothing else; and the
    # admin's inline styles (groups.headers).
    "groups.headers.PermissionsPolicyMiddleware",
    "groups.headers.AdminStylesMiddleware",
    # Records who made each change in the listings' history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # The database unreachable: a 503 page with Retry-After, not a 500 (groups.outage).
    "groups.outage.DatabaseUnavailableMiddleware",
    # Locks out a login after repeated failures (last, as django-axes asks).
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login first, then Django's own user accounts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After AXES_FAILURE_LIMIT failed logins for one user name from one address, that pair is
# locked out for AXES_COOLOFF_HOURS. Only failures are kept, and a success clears them.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", "1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind a proxy, the request header holding the client's address (e.g. HTTP_X_FORWARDED_FOR,
# whose last entry is the one the proxy added), for the login lockout and the public forms'
# rate limit alike: groups.ratelimit.client_address. Addresses are never logged.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "REMOTE_ADDR")
AXES_CLIENT_IP_CALLABLE = "groups.ratelimit.client_address"

ROOT_URLCONF = "recovery_directory.urls"

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
                "groups.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "recovery_directory.wsgi.application"

# SQLite file by default; DATABASE_URL (postgres://user:pass@host:port/name) switches to PostgreSQL
# through psycopg 3. DB_CONN_MAX_AGE keeps connections open between requests in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Safe behind a transaction-pooling proxy such as PgBouncer, and fewer round trips.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # The directory's queries are many and short: starting parallel workers or JIT-compiling
    # an expression costs more than it saves (measured: 10-20 ms a search on 2 cores), and on
    # SSD storage an index lookup costs little more than a sequential read.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "DATABASE_SESSION_OPTIONS",
        "-c max_parallel_workers_per_gather=0 -c jit=off -c random_page_cost=1.1",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests run against a real SQLite file, not an in-memory database.
    # TEST_SQLITE_NAME lets two test runs on one machine keep apart.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_NAME") or str(BASE_DIR / ".test-db.sqlite3")
    }

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface's languages: English, and one more for each catalogue in locale/ (a new language
# is one catalogue, locale/<code>/LC_MESSAGES/django.po, compiled; nothing else). Each is named in
# its own words in the switcher (Django's LANG_INFO).
LOCALE_PATHS = [BASE_DIR / "locale"]


def _languages() -> list[tuple[str, str]]:
    from django.conf.locale import LANG_INFO

    codes = sorted(
        path.parent.parent.name for path in (BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po")
    )
    return [("en", "English")] + [
        (code, LANG_INFO[code]["name"]) for code in codes if code != "en" and code in LANG_INFO
    ]


LANGUAGES = _languages()
# The first-party cookie that remembers a language chosen with the switcher (groups.languages).
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The server's own zone only matters for logs and the admin; every meeting carries its own zone.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# Where the directory serves, e.g. Europe/London: the zone times are shown in for a visitor
# whose own zone is not known (no browser zone yet, scripts off, no place searched near). Empty:
# such a visitor sees each meeting in its own zone, and nothing is called "your time".
DIRECTORY_TIME_ZONE = os.environ.get("DIRECTORY_TIME_ZONE", "").strip()
if DIRECTORY_TIME_ZONE:
    import zoneinfo

    if DIRECTORY_TIME_ZONE not in zoneinfo.available_timezones():
        raise ImproperlyConfigured(
            f"DIRECTORY_TIME_ZONE must be a zone name such as Europe/London or "
            f"America/Los_Angeles, not {DIRECTORY_TIME_ZONE!r}."
        )
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# With DEBUG off, `manage.py collectstatic` writes compressed copies with hashed names (whitenoise).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Privacy (shared/REFERENCE.md §5): searches are health information, so pages never tell
# other sites where a visitor came from.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"


def _style_hash(css: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"


# Content-Security-Policy (django-csp): scripts, styles, images and fetches from this site
# only, no inline script, no framing, forms sent only here. The referral sheet's styles are
# inline, because its PDF is drawn from the same HTML by WeasyPrint, which fetches nothing: they
# are allowed by their hashes (the stylesheet as included, and each paper's size). The admin
# also allows inline styles, on its own pages only (groups.headers.AdminStylesMiddleware).
SHEET_STYLES = [
    (BASE_DIR / "templates" / "referrals" / "sheet.css").read_text(),
    "@page { size: A4; }",
    "@page { size: letter; }",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *map(_style_hash, SHEET_STYLES)],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    }
}

if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
    # Both are commitments for every subdomain of the site, which only its operator can make:
    # off unless asked for, and `check --deploy` is told that this is deliberate.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
    if envbool("BEHIND_PROXY", "false"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "directory@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")

# Searches count matches up to this many; past it they say "more than" (a count of a huge
# result costs as much as the search itself).
SEARCH_COUNT_CAP = envint("SEARCH_COUNT_CAP", "100")

# The map (groups.maps, docs/maps.md) shows at most this many meetings of a search.
MAP_LIMIT = envint("MAP_LIMIT", "1000")
# A tile server for the map's background, e.g. https://tile.example.org/{z}/{x}/{y}.png. Off by
# default: the map is drawn from Natural Earth files this site serves, and no page asks another
# site for anything. When set, the Content-Security-Policy lets images come from that one host
# (groups.maps.TileServerPolicyMiddleware) and the map's privacy note names it.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip()
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "").strip()
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAP_TILE_URL)
    if (
        _tiles.scheme not in ("https", "http")
        or not _tiles.hostname
        or "{" in _tiles.netloc
        or not all(part in _tiles.path + _tiles.query for part in ("{z}", "{x}", "{y}"))
    ):
        raise ImproperlyConfigured(
            "MAP_TILE_URL must be an https:// (or http://) address on one host with {z}, {x} "
            f"and {{y}} in it, such as https://tile.example.org/{{z}}/{{x}}/{{y}}.png, not "
            f"{MAP_TILE_URL!r}."
        )

# A cache shared by every app server (Redis) when REDIS_URL is set; otherwise each process
# keeps its own in memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Pages go on when Redis cannot be reached (groups.cache), and a Redis that does
            # not answer costs a request half a second at most.
            "BACKEND": "groups.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},  # pages of about 30 KB: 60 MB at most a process
        }
    }

# Seconds a process keeps the lists every search reads (types, fellowships, languages,
# regions); an edit forgets them at once where the cache is shared (REDIS_URL).
CATALOGUE_SECONDS = envint("CATALOGUE_SECONDS", "60")

# A listing counts as stale once it has not been verified for this many days.
# Public pages are kept this many seconds at most, and forgotten at once when a listing changes
# (groups.pagecache). 0 turns the page cache off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", "60")

VERIFICATION_INTERVAL_DAYS = envint("VERIFICATION_INTERVAL_DAYS", "180")
# This many "nobody was there" reports within NOBODY_THERE_DAYS flag a listing for checking.
NOBODY_THERE_REPORTS = envint("NOBODY_THERE_REPORTS", "2")
NOBODY_THERE_DAYS = envint("NOBODY_THERE_DAYS", "28")
# Public forms (corrections, new meetings): at most this many sent from one address an hour.
CORRECTIONS_PER_HOUR = envint("CORRECTIONS_PER_HOUR", "10")

# Imports fetch URLs only from public addresses (groups.importing.sources): a source's URL must
# not reach the server's own network. True allows loopback and private addresses, for a
# directory that imports from its own network.
IMPORT_ALLOW_PRIVATE_ADDRESSES = envbool("IMPORT_ALLOW_PRIVATE_ADDRESSES", "false")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
