"""Settings for guest_auth's test suite.

Environment:
- GUEST_AUTH_TEST_DATABASE_URL: sqlite:// (default, in memory),
  postgres://USER@HOST:PORT/NAME or mysql://USER@HOST:PORT/NAME (MariaDB).
  A postgres:// URL ending in ?pgbouncer=1 is a PgBouncer in transaction
  pooling mode: server-side cursors are disabled, as Django requires there.
- GUEST_AUTH_TEST_USER_MODEL: auth.User (default) or testapp.EmailUser
  (UUID primary key, email as USERNAME_FIELD).
- GUEST_AUTH_TEST_REDIS_URL: redis://127.0.0.1:6379/15 to count rate limits in
  Redis (the multi-process rate-limit test needs it; default
  redis://127.0.0.1:6379/15 is tried and the test skips if nothing answers).
- GUEST_AUTH_TEST_WITHOUT_DRF, GUEST_AUTH_TEST_WITHOUT_ALLAUTH,
  GUEST_AUTH_TEST_WITHOUT_CELERY, GUEST_AUTH_TEST_WITHOUT_TASKS: set (tox's
  noextras environment) where djangorestframework, django-allauth, Celery or
  the tasks framework (Django 6.0's, or the django-tasks backport) is not
  installed; their tests are then not collected.
- GUEST_AUTH_TEST_CELERY_URL: the broker and result backend of the real
  Celery worker test (default redis://127.0.0.1:6379/13).
"""

import os
from urllib.parse import unquote, urlsplit

import django

SECRET_KEY = "guest-auth-tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "guest_auth",
    "tests.testapp",
    "tests.mergeapp",
    "tests.perfapp",
    "tests.purgeapp",
    "tests.exportapp",
]
if os.environ.get("GUEST_AUTH_TEST_WITHOUT_DRF"):
    INSTALLED_APPS.remove("rest_framework")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

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
            ]
        },
    }
]

AUTH_USER_MODEL = os.environ.get("GUEST_AUTH_TEST_USER_MODEL", "auth.User")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Fast hashing for the suite; tests that assert "no hasher runs" patch around it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
# simplejwt's own views at /api/token/ (tests/contrib/simplejwt/test_rest_framework_jwt.py), with
# guest_auth's serializers.
SIMPLE_JWT = {
    "SIGNING_KEY": "guest-auth-tests-jwt-signing-key-not-secret-0123456789",
    "TOKEN_OBTAIN_SERIALIZER": "guest_auth.contrib.simplejwt.GuestTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "guest_auth.contrib.simplejwt.GuestTokenRefreshSerializer",
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/home/"

# Django 6.1 deprecates sending mail without MAILERS (allauth's tests send
# mail); the test runner points every mailer at the locmem outbox.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# django-allauth (tests/contrib/allauth/), mounted at /allauth/. Absent only
# in tox's py311-noextras env, which proves the core works without it.
if not os.environ.get("GUEST_AUTH_TEST_WITHOUT_ALLAUTH"):
    INSTALLED_APPS += [
        "allauth",
        "allauth.account",
        "allauth.socialaccount",
        "allauth.socialaccount.providers.dummy",
        "allauth.mfa",
        "allauth.headless",
        "tests.allauthapp",
    ]
    MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware"]
    # ModelBackend stays first: it is the backend guests are logged in with.
    AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ]
    # allauth is installed but not the site's signup, so the core promote page
    # and API are tested as such; tests/contrib/allauth/ make it the signup
    # (tests/conftest.py), as guest_auth's adapters in these two settings do.
    ACCOUNT_ADAPTER = "allauth.account.adapter.DefaultAccountAdapter"
    SOCIALACCOUNT_ADAPTER = "allauth.socialaccount.adapter.DefaultSocialAccountAdapter"
    ACCOUNT_LOGIN_METHODS = {"email"}
    ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
    ACCOUNT_USER_MODEL_USERNAME_FIELD = (
        None if AUTH_USER_MODEL == "testapp.EmailUser" else "username"
    )
    ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # read when allauth's URLs are imported
    ACCOUNT_RATE_LIMITS = False
    # allauth's headless API, both clients, mounted at /_allauth/.
    HEADLESS_CLIENTS = ("browser", "app")


def _database(url: str) -> dict:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        name = parts.path.lstrip("/") or ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    engines = {
        "postgres": "django.db.backends.postgresql",
        "postgresql": "django.db.backends.postgresql",
        "mysql": "django.db.backends.mysql",
        "mariadb": "django.db.backends.mysql",
    }
    if scheme not in engines:
        raise ValueError(f"GUEST_AUTH_TEST_DATABASE_URL: unsupported scheme {scheme!r}")
    config = {
        "ENGINE": engines[scheme],
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }
    if "pgbouncer=1" in parts.query.split("&"):
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    if engines[scheme].endswith("mysql"):
        config["OPTIONS"] = {"charset": "utf8mb4"}
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    return config


# guest_auth.tasks: Django 6.0's tasks framework, or the backport on Django 5.2.
# "deferring" runs tasks at once, except those to run later, which it keeps.
if not os.environ.get("GUEST_AUTH_TEST_WITHOUT_TASKS"):
    _TASKS = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
    if _TASKS == "django_tasks":
        INSTALLED_APPS.append("django_tasks")
    TASKS = {
        "default": {"BACKEND": f"{_TASKS}.backends.immediate.ImmediateBackend"},
        "deferring": {"BACKEND": "tests.taskbackends.ImmediateUnlessDeferred"},
    }

# guest_auth.contrib.celery: tests/celeryapp.py (eager runs need no broker).
CELERY_BROKER_URL = os.environ.get("GUEST_AUTH_TEST_CELERY_URL", "redis://127.0.0.1:6379/13")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL

# Rate-limit counters: the local-memory cache unless GUEST_AUTH_TEST_REDIS_URL
# names a Redis server (tests/core/test_ratelimit.py's multi-process test sets it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("GUEST_AUTH_TEST_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["GUEST_AUTH_TEST_REDIS_URL"],
        # What docs/howto/abuse-protection.md recommends (check guest_auth.W005).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }

# The suite counts rate limits in a local-memory cache on purpose (one process).
SILENCED_SYSTEM_CHECKS = ["guest_auth.W002", "guest_auth.W010", "guest_auth.W011"]

DATABASES = {"default": _database(os.environ.get("GUEST_AUTH_TEST_DATABASE_URL", "sqlite://"))}
# tests/cross/test_routers.py: "replica", a replica that never receives writes, and
# "users", the database of a site that keeps its users (and guest_auth) apart.
# Each is its own test database, created only for the tests that ask for it.
for _alias in ("replica", "users"):
    DATABASES[_alias] = {
        **DATABASES["default"],
        "NAME": f"{DATABASES['default']['NAME']}_{_alias}"
        if DATABASES["default"]["NAME"] != ":memory:"
        else ":memory:",
    }
