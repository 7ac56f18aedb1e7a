"""Settings for benchmarks/purge.py (not a site, not packaged).

GUEST_AUTH_BENCH_DATABASE_URL names a PostgreSQL (``postgres://``) or MariaDB
(``mysql://``) database used only by the benchmark: its tables are emptied
between rounds.
"""

import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "guest-auth-benchmarks-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "guest_auth",
    "benchmarks.benchapp",
]
if os.environ.get("GUEST_AUTH_BENCH_ADMIN"):
    # benchmarks/scale.py times the Guest changelist's queries.
    INSTALLED_APPS += ["django.contrib.admin", "django.contrib.messages"]
URL = os.environ.get(
    "GUEST_AUTH_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/guest_auth_bench"
)
_parts = urlsplit(URL)
_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
}
if _parts.scheme not in _ENGINES:
    raise ValueError(
        f"GUEST_AUTH_BENCH_DATABASE_URL must be a postgres:// or mysql:// URL, not {URL!r}"
    )
DATABASES = {
    "default": {
        "ENGINE": _ENGINES[_parts.scheme],
        "NAME": _parts.path.lstrip("/"),
        "USER": unquote(_parts.username or ""),
        "PASSWORD": unquote(_parts.password or ""),
        "HOST": _parts.hostname or "",
        "PORT": str(_parts.port or ""),
    }
}
if _parts.scheme == "mysql":
    DATABASES["default"]["OPTIONS"] = {"charset": "utf8mb4"}
