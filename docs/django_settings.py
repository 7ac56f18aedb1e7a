"""Django settings for building the docs: enough to import every public module."""

from importlib.util import find_spec

SECRET_KEY = "docs-only"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.sessions",
    "guest_auth",
]
if find_spec("rest_framework"):
    INSTALLED_APPS.append("rest_framework")
if find_spec("allauth"):
    INSTALLED_APPS += ["allauth", "allauth.account", "allauth.socialaccount"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
]
if find_spec("allauth"):
    MIDDLEWARE.append("allauth.account.middleware.AccountMiddleware")
