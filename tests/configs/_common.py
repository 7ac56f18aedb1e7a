"""Values every configuration shares: what ``check --deploy`` asks of a real site.

A configuration's settings.py starts with ``from tests.configs._common import *``
and then states everything that makes it the configuration it is
(INSTALLED_APPS, MIDDLEWARE, DATABASES, TEMPLATES...). Its databases live in
DATA_DIR, a fresh temporary directory unless GUEST_AUTH_CONFIG_DIR names one.
"""

import os
import tempfile

__all__ = [
    "ALLOWED_HOSTS",
    "AUTH_PASSWORD_VALIDATORS",
    "CACHES",
    "CORE_APPS",
    "CORE_MIDDLEWARE",
    "CSRF_COOKIE_SECURE",
    "DATA_DIR",
    "DEBUG",
    "DEFAULT_AUTO_FIELD",
    "DJANGO_TEMPLATES",
    "GUEST_AUTH_CLIENT_IP",
    "GUEST_AUTH_IPWARE",
    "LOGIN_REDIRECT_URL",
    "LOGIN_URL",
    "PASSWORD_HASHERS",
    "SECRET_KEY",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SILENCED_SYSTEM_CHECKS",
    "USE_TZ",
    "sqlite",
]

DATA_DIR = os.environ.get("GUEST_AUTH_CONFIG_DIR") or tempfile.mkdtemp(prefix="guest-auth-")


def sqlite(name: str) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(DATA_DIR, f"{name}.db")}


# check --deploy passes with these; the flows send X-Forwarded-Proto: https.
SECRET_KEY = "configuration-matrix-Zq7vN3pW8xK2mR5tY9bL4cH6jD1fG0sA"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Behind that proxy, rate limits count the visitor's address, not the proxy's
# (docs/howto/proxies.md; check guest_auth.W004 otherwise).
GUEST_AUTH_CLIENT_IP = "guest_auth.contrib.ipware.client_ip"
GUEST_AUTH_IPWARE = {"proxy_count": 1}
# These sites keep auth.User, whose 32-bit key a real site at scale outgrows
# (deploy check guest_auth.W020, docs/topics/scale.md); they never will.
SILENCED_SYSTEM_CHECKS = ["guest_auth.W020"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# Fast hashing: the flows log people in several times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Shared between processes, as a real site's rate-limit cache must be (guest_auth.W002).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.path.join(DATA_DIR, "cache"),
    }
}

CORE_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "guest_auth",
    # The flows' views and the cart a guest fills before logging in.
    "tests.testapp",
    "tests.mergeapp",
]
CORE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DJANGO_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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
