"""Settings of the guest_auth example project. For local demos only: DEBUG is on.

The REST API (djangorestframework) and django-allauth (account, socialaccount
with its dummy provider, headless) are used when installed
(``pip install -e ".[example]"``); without them the shop's own pages still run.

Environment:
- DJANGO_SECRET_KEY: the secret key (a development fallback is used when unset).
- DATABASE_URL: postgres://USER:PASSWORD@HOST:PORT/NAME to use PostgreSQL
  (needs psycopg); SQLite at example_project/db.sqlite3 when unset.
- EXAMPLE_PASSKEY_SIGNUP=1: offer "Sign up with a passkey" (needs allauth's
  mfa extra). allauth then requires an email and its verification by code for
  every signup; the demo prints the code on the console.
"""

import os
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-guest-auth-example-for-development-only"
)
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guest_auth",
    "example_project.shop",
]

# The REST API (the guest API, the shop's cart API and the plain-JavaScript
# page /app/ that uses them) and django-allauth, when installed.
HAS_API = find_spec("rest_framework") is not None
HAS_ALLAUTH = find_spec("allauth") is not None and HAS_API
# allauth's MFA app (passkeys) needs its mfa extra (fido2).
HAS_MFA = HAS_ALLAUTH and find_spec("fido2") is not None
if HAS_API:
    INSTALLED_APPS += ["rest_framework"]
if HAS_ALLAUTH:
    INSTALLED_APPS += [
        "allauth",
        "allauth.account",
        "allauth.socialaccount",
        # A pretend provider, for trying "Sign in with ..." offline: development only.
        "allauth.socialaccount.providers.dummy",
        "allauth.headless",
    ]
if HAS_MFA:
    INSTALLED_APPS += ["allauth.mfa"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if HAS_ALLAUTH:
    MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware"]
    AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ]
    # guest_auth's allauth adapters, with the shop's own addition (the demo
    # account's cart is reset before each login: see shop/demo.py).
    ACCOUNT_ADAPTER = "example_project.shop.allauth.ShopAccountAdapter"
    SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"
    ACCOUNT_LOGIN_METHODS = {"username", "email"}
    ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
    # The demo sends no email: nothing to verify.
    ACCOUNT_EMAIL_VERIFICATION = "none"
    ACCOUNT_LOGOUT_REDIRECT_URL = "/"
    # As GUEST_AUTH_PROMOTE_REDIRECT_URL below: a new account lands on its cart.
    ACCOUNT_SIGNUP_REDIRECT_URL = "/cart/"
    HEADLESS_CLIENTS = ("browser", "app")
if HAS_MFA:
    # Passkeys: logging in with one, and adding one to an account.
    MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
    MFA_PASSKEY_LOGIN_ENABLED = True
    # The demo runs on http://localhost; a deployed site is served over HTTPS.
    MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Signing up with a passkey only: a guest who does is promoted in place like
# any other signup. allauth requires a verified email for it, by code
# (its system checks say so); the browser test turns this on for itself.
PASSKEY_SIGNUP = {
    "MFA_PASSKEY_SIGNUP_ENABLED": True,
    "ACCOUNT_SIGNUP_FIELDS": ["username*", "email*", "password1*", "password2*"],
    "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
    "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED": True,
}
if HAS_MFA and os.environ.get("EXAMPLE_PASSKEY_SIGNUP"):
    globals().update(PASSKEY_SIGNUP)
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before the apps' templates, so templates/guest_auth/base.html
        # replaces the one shipped with guest_auth.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "example_project.shop.context_processors.shop",
            ],
        },
    },
]


def _database(url: str | None) -> dict:
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        # Name only the scheme: the URL may hold a password.
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// URL, not a {parts.scheme!r} one."
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Where a guest lands after creating an account, when the link gave no `next`.
GUEST_AUTH_PROMOTE_REDIRECT_URL = "/cart/"
# A guest who logs into an existing account brings their data along (issue 4's
# merge). The cart has one line per (user, product): without a policy the
# account's own line would win, so quantities are added instead. A guest's
# preferences move only when the account has none.
GUEST_AUTH_MERGE_POLICIES = {
    "shop.CartItem": "example_project.shop.merging.add_quantities",
    "shop.Preferences": "move",
}

# The demo runs on localhost, where every visitor has the same address: the
# per-IP and per-network limits would lock the person trying it out (and the
# browser tests) out after a few dozen guests. A deployed site keeps them.
if DEBUG:
    GUEST_AUTH_RATE_LIMIT = None
    GUEST_AUTH_NETWORK_RATE_LIMIT = None

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
