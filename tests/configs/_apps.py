"""Shared by the configurations of single-page and mobile apps (headless_browser,
headless_app, simplejwt): the settings check --deploy asks of a real site, and
the flows' client and checks."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["BASE", "PASSWORD", "FlowError", "expect", "run", "setup_database"]

DATA_DIR = os.environ.get("GUEST_AUTH_CONFIG_DIR") or tempfile.mkdtemp(prefix="guest-auth-")
PASSWORD = "a-long-enough-pass-7"

BASE: dict[str, Any] = {
    "SECRET_KEY": "configuration-matrix-apps-Zq7vN3pW8xK2mR5tY9bL4cH6jD1fG0sA",
    "DEBUG": False,
    "ALLOWED_HOSTS": ["testserver"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    # The flows' requests come from the test client, not through a proxy: the
    # rate limits keyed by REMOTE_ADDR are what these configurations want.
    "SILENCED_SYSTEM_CHECKS": ["guest_auth.W004", "guest_auth.W020"],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 3600,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "USE_TZ": True,
    "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
    "LOGIN_URL": "/accounts/login/",
    "LOGIN_REDIRECT_URL": "/",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "AUTH_PASSWORD_VALIDATORS": [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}
    ],
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.path.join(DATA_DIR, "cache"),
        }
    },
    "DATABASES": {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(DATA_DIR, "default.db"),
        }
    },
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "guest_auth.middleware.GuestMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    "TEMPLATES": [
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
    ],
}
CORE_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "guest_auth",
    "tests.testapp",
]


class FlowError(Exception):
    pass


def expect(condition: Any, message: str, response: Any = None) -> None:
    if not condition:
        if response is not None:
            message += f" (HTTP {response.status_code}: {response.content[:300]!r})"
        raise FlowError(message)


def setup_database() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def client(**headers: str) -> Any:
    from django.test import Client

    return Client(headers={"X-Forwarded-Proto": "https", "User-Agent": "okhttp/4.12", **headers})


def post_json(visitor: Any, path: str, body: Any = None, **headers: str) -> Any:
    return visitor.post(
        path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def run(name: str, steps: list[Callable[[], str]]) -> None:
    setup_database()
    for step in steps:
        try:
            said = step()
        except Exception as exc:
            detail = str(exc) if isinstance(exc, FlowError) else traceback.format_exc()
            print(f"{name}: {step.__name__} FAILED: {detail}")
            sys.exit(1)
        print(f"{name}: {step.__name__}: {said}")
    print(f"{name}: ok")
