"""Settings of the benchmark site.

Environment:
- BENCH_DATABASE_URL: sqlite:///ABSOLUTE/PATH or postgres://USER@HOST:PORT/NAME (required).
- BENCH_AUTH: "guest" (default: guest_auth installed, GuestMiddleware on) or "plain"
  (the same site without guest_auth at all: plain Django auth).
- BENCH_REDIS_URL: when set (redis://127.0.0.1:6379/0), Django's RedisCache is the
  cache and sessions use the cached_db engine; otherwise database sessions.
- BENCH_CACHE_PREFIX: cache key prefix, so a run can delete exactly its own keys.
"""

import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "guest-auth-benchmark-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

GUEST = os.environ.get("BENCH_AUTH", "guest") != "plain"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    *(["guest_auth"] if GUEST else []),
    "benchmarks.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    *(["guest_auth.middleware.GuestMiddleware"] if GUEST else []),
]

ROOT_URLCONF = "benchmarks.site.urls" if GUEST else "benchmarks.site.urls_plain"
TEMPLATES: list = []
LOGGING = {"version": 1, "disable_existing_loggers": False}


def _database(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # WAL with synchronous=NORMAL, the usual production setup: commits do not
        # fsync, so disk noise from other processes stays out of the figures.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parts.path),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Persistent connections, as any production deployment has them.
            "CONN_MAX_AGE": None,
        }
    raise ValueError(f"BENCH_DATABASE_URL: unsupported scheme {parts.scheme!r}")


DATABASES = {"default": _database(os.environ["BENCH_DATABASE_URL"])}
DATABASES["default"].setdefault("CONN_MAX_AGE", None)

# Rate limits as a deployment behind a proxy has them: the default limits,
# per client address read from the proxy's header (see proxy.py), counted in
# the shared Redis cache when there is one.
GUEST_AUTH_CLIENT_IP = "benchmarks.site.proxy.client_ip"

if os.environ.get("BENCH_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "guest_auth_bench"),
            # As docs/howto/abuse-protection.md recommends (check guest_auth.W005).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # cached_db, not cache: a guest has no password, its session is its only
    # key to its account, so the session must survive a cache eviction or a
    # Redis restart. Reads come from Redis (no session query per request);
    # writes go to both.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
