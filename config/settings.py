"""shequ settings: one module, read from the environment.

DATABASE_URL  sqlite:///path (default: ./shequ.sqlite3) or postgres://user@host:port/name
REDIS_URL     optional; enables Redis cache and live-update fan-out across processes
SECRET_KEY    required (50+ characters) in production
DEBUG         "1" shows Django's debug pages (development only); "0" is production
ALLOWED_HOSTS comma-separated; required in production
TRUSTED_PROXIES  how many reverse proxies (nginx …) stand in front of shequ (default 0); their
              X-Forwarded-For / X-Forwarded-Proto are trusted, nobody else's

With none of SECRET_KEY and DEBUG set, shequ runs as the embedded demo (`shequ serve`): no debug
pages, a secret key generated once and kept beside the database, localhost only.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


class StartRefused(ImproperlyConfigured):
    """A production setting is missing or unsafe; `shequ` prints the one sentence and stops."""


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise StartRefused(f"{name} 必须是整数。 / {name} must be a whole number.") from None


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / 'shequ.sqlite3'}"


def _key_file() -> Path:
    """Where the embedded demo keeps its generated secret key: beside the SQLite file."""
    explicit = os.environ.get("SECRET_KEY_FILE")
    if explicit:
        return Path(explicit)
    if DATABASE_URL.startswith("sqlite:///"):
        db = Path(DATABASE_URL.removeprefix("sqlite:///"))
        if db.name and db.name != ":memory:":
            return db.with_name(db.name + ".secret_key")
    return Path.cwd() / "shequ.secret_key"


def _generated_secret_key() -> str:
    """Read the key kept beside the database, or create it once (readable by its owner only)."""
    import secrets

    path = _key_file()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) >= 50:
            return key
        raise StartRefused(
            f"密钥文件 {path} 已损坏，请删除后重启。 / The key file {path} is damaged; delete it and start again."
        )
    except OSError as exc:
        raise StartRefused(
            f"无法在 {path} 保存密钥（{exc.strerror}）。 / Cannot keep the secret key in {path} ({exc.strerror})."
        ) from None
    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _strong(key: str) -> bool:
    """Django's own bar (security.W009): 50+ characters, 5+ different ones, not a generated dev key."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The embedded demo: nothing configured. Production: DEBUG=0 or a SECRET_KEY given.
SHEQU_EMBEDDED = "DEBUG" not in os.environ and not SECRET_KEY
DEBUG = env_bool("DEBUG", False)
SHEQU_PRODUCTION = not (SHEQU_EMBEDDED or DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not SHEQU_PRODUCTION:
    SECRET_KEY = SECRET_KEY or _generated_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if not SECRET_KEY:
        raise StartRefused(
            "生产模式（DEBUG=0）必须设置 SECRET_KEY（至少50个字符）。"
            " / In production (DEBUG=0) set SECRET_KEY (50 characters or more)."
        )
    if not _strong(SECRET_KEY):
        raise StartRefused(
            "SECRET_KEY 太弱：至少50个字符、5种以上不同字符。"
            " / SECRET_KEY is too weak: use 50 characters or more, at least 5 different ones."
        )
    if not ALLOWED_HOSTS:
        raise StartRefused(
            "生产模式（DEBUG=0）必须设置 ALLOWED_HOSTS（网站域名，逗号分隔）。"
            " / In production (DEBUG=0) set ALLOWED_HOSTS (the site's host names, comma-separated)."
        )
# Demo accounts share a published password only where nobody else can reach them.
SHEQU_DEMO_PASSWORD_PUBLIC = not SHEQU_PRODUCTION
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",  # ships htmx itself: base.html loads it with {% htmx_script %}
    "ninja",  # serves the API docs page (Swagger UI) from local static files, not a CDN
    "shequ.core",
    "shequ.directory",
    "shequ.accounts",
    "shequ.notifications",
    "shequ.appeals",
    "shequ.supervision",
    "shequ.analytics",
    "shequ.notices",
    "shequ.forum",
    "shequ.activities",
    "shequ.decisions",
    "shequ.elections",
    "shequ.funds",
    "shequ.meetings",
    "shequ.stations",
    "shequ.projects",
    "shequ.portal",
    "shequ.api",
    "shequ.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shequ.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shequ.core.middleware.RequestHygieneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shequ.core.middleware.PreferencesMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequ.core.context_processors.shequ",
                "shequ.notifications.context_processors.unread",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60 if SHEQU_PRODUCTION else 0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the in-process worker write while pages read; IMMEDIATE avoids
        # "database is locked" upgrades from read to write inside a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SHEQU_TEST_SQLITE") or None}
else:
    test_name = os.environ.get("SHEQU_TEST_DB")
    if test_name:
        DATABASES["default"]["TEST"] = {"NAME": test_name}

# PostgreSQL: no JIT compilation. Every query of the product is short; the planner's cost estimate of a
# capped count over a big community (≈165,000) passes jit_above_cost (100,000) and the JIT then spent
# 45–47 ms compiling for a 200 ms query (EXPLAIN ANALYZE on the 1M bench copy). DB_JIT=1 restores the
# server's own setting.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# PostgreSQL: a connection pool per process (psycopg_pool through Django's OPTIONS["pool"]), so the number
# of connections stays bounded — at most DB_POOL_MAX per web process however many requests or live
# streams are open (docs/performance.md). DB_POOL=0 switches it off (one connection per request).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 1),
        "max_size": env_int("DB_POOL_MAX", 8),
        "timeout": float(env_int("DB_POOL_TIMEOUT", 20)),
        "max_idle": 300.0,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: 5 failures for one phone from one client address lock that pair for 15 minutes.
# The address is the real client's (shequ.core.net: REMOTE_ADDR, or X-Forwarded-For as far as the
# TRUSTED_PROXIES in front of shequ vouch for it), so neither a forged header nor a proxy's own
# address decides it.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shequ.accounts.views.lockout"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "shequ.core.net.axes_client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "shequ" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", Path.cwd() / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, pre-compressed static files with a one-year immutable lifetime once `collectstatic` has run
    # (`shequ serve` runs it); plain names from the finders before that (shequ/core/staticfiles.py).
    "staticfiles": {"BACKEND": "shequ.core.staticfiles.StaticStorage"},
}
WHITENOISE_USE_FINDERS = not SHEQU_PRODUCTION

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shequ@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.locmem.EmailBackend"
)

# --- transport and browser security (docs/security.md) ---------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SHEQU_PRODUCTION and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_DAYS", 14) * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if SHEQU_PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)

# Reverse proxies in front of shequ. Only with TRUSTED_PROXIES > 0 are X-Forwarded-For (the client's
# address, for the login lockout and the rate limits) and X-Forwarded-Proto believed, and then only
# the entries the proxies themselves added: the client may prepend anything it likes.
SHEQU_TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if SHEQU_TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): everything from this site, nothing inline but style attributes.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        # a few templates space a card with style="margin-top:…"; attributes cannot run code
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Abuse limits (shequ.core.ratelimit): (count, seconds) per action and key; RATE_LIMITS=0 turns them off.
SHEQU_RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS", True)
SHEQU_RATE_LIMITS = {
    "appeal": {"account": (10, 3600), "place": (60, 3600)},  # a resident filing for themselves
    "booking": {"account": (5, 24 * 3600), "place": (20, 24 * 3600)},  # place = the venue
    "forum_post": {"account": (30, 3600), "place": (300, 3600)},  # place = the board
    "upload": {"account": (60, 3600)},
    "register": {"phone": (3, 3600), "address": (10, 3600)},
}

# Blocks on the resident home page, in order: callables (request, household) -> dict | None.
SHEQU_HOME_SECTIONS = [
    "shequ.decisions.home.section",
    "shequ.elections.home.section",
    "shequ.funds.home.section",
    "shequ.appeals.home.section",
    "shequ.notices.home.section",
    "shequ.meetings.blocks.home_section",
    "shequ.stations.blocks.home_section",
]
SHEQU_WHO_SECTIONS = ["shequ.stations.blocks.who_section"]
SHEQU_FORUM_AUTO_HIDE_REPORTS = int(os.environ.get("SHEQU_FORUM_AUTO_HIDE_REPORTS", "3"))

# Jobs run by the database-backed worker (shequ.core.jobs). In tests they run inline on commit.
SHEQU_JOBS_INLINE = env_bool("SHEQU_JOBS_INLINE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"shequ": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}
