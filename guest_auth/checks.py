"""System checks. Ids are stable; messages and hints are kept here together."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import global_settings, settings
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import models
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.module_loading import import_string

from .conf import guest_settings

__all__ = ["MESSAGES"]

_AUTH_MW = "django.contrib.auth.middleware.AuthenticationMiddleware"
_SESSION_MW = "django.contrib.sessions.middleware.SessionMiddleware"
_GUEST_MW = "guest_auth.middleware.GuestMiddleware"
_LOGIN_REQUIRED_MW = "django.contrib.auth.middleware.LoginRequiredMiddleware"

# id: (level, message, hint)
MESSAGES: dict[str, tuple[type[Error | Warning], str, str]] = {
    "guest_auth.E001": (
        Error,
        f"'{_GUEST_MW}' must be in MIDDLEWARE.",
        f"Insert '{_GUEST_MW}' in MIDDLEWARE after '{_AUTH_MW}'.",
    ),
    "guest_auth.E002": (
        Error,
        f"'{_GUEST_MW}' must come after '{_AUTH_MW}' in MIDDLEWARE.",
        f"Move '{_GUEST_MW}' below '{_AUTH_MW}'.",
    ),
    "guest_auth.E003": (
        Error,
        "'django.contrib.sessions' must be in INSTALLED_APPS: guests live in "
        "database-backed sessions.",
        "Add 'django.contrib.sessions' to INSTALLED_APPS, or use a SESSION_ENGINE "
        "that does not need it.",
    ),
    "guest_auth.E004": (
        Error,
        f"'{_SESSION_MW}' must be in MIDDLEWARE before '{_GUEST_MW}'.",
        f"Insert '{_SESSION_MW}' near the top of MIDDLEWARE.",
    ),
    "guest_auth.E005": (
        Error,
        "The user model's USERNAME_FIELD is an EmailField that does not allow NULL, "
        "but guests have no email.",
        "Make the field null=True (it can stay unique), or override "
        "GuestAdapter.guest_username() in GUEST_AUTH_ADAPTER.",
    ),
    "guest_auth.E006": (
        Error,
        "The URL 'guest_auth:promote' cannot be reversed: regular_user_required and "
        "the promotion flow need it.",
        'Add path("guest/", include("guest_auth.urls")) to your ROOT_URLCONF (or promote '
        "guests through django-allauth's signup or the guest API).",
    ),
    "guest_auth.W006": (
        Warning,
        "The URL 'guest_auth:promote' cannot be reversed: guests promote only through "
        "django-allauth's signup or the guest API. regular_user_required and Django's "
        "password pages send guests to allauth's signup page when there is one, and "
        "answer 403 otherwise.",
        'Add path("guest/", include("guest_auth.urls")) to your ROOT_URLCONF for the '
        "promote page, or add guest_auth.W006 to SILENCED_SYSTEM_CHECKS.",
    ),
    "guest_auth.E020": (
        Error,
        f"GUEST_AUTH_GUEST_ACCESS is 'opt-in' but '{_LOGIN_REQUIRED_MW}' comes before "
        f"'{_GUEST_MW}' in MIDDLEWARE: it would let guests into views that do not opt in.",
        f"Move '{_GUEST_MW}' above '{_LOGIN_REQUIRED_MW}'.",
    ),
    "guest_auth.E017": (
        Error,
        "GUEST_AUTH_API_TOKENS is 'jwt' but djangorestframework-simplejwt is not installed.",
        'pip install "django-guest-auth[jwt]", or set GUEST_AUTH_API_TOKENS = "opaque".',
    ),
    "guest_auth.W002": (
        Warning,
        "Guest creation is rate limited, but GUEST_AUTH_RATE_LIMIT_CACHE is a "
        "per-process cache: each worker process counts on its own.",
        "Point GUEST_AUTH_RATE_LIMIT_CACHE at a shared cache such as "
        "django.core.cache.backends.redis.RedisCache.",
    ),
    "guest_auth.W003": (
        Warning,
        "Guest creation is rate limited, but GUEST_AUTH_RATE_LIMIT_CACHE is a "
        "DummyCache, which counts nothing: the limits are not enforced.",
        "Point GUEST_AUTH_RATE_LIMIT_CACHE at a real cache (RedisCache in production).",
    ),
    "guest_auth.W004": (
        Warning,
        "The site is configured behind a proxy (SECURE_PROXY_SSL_HEADER, "
        "USE_X_FORWARDED_HOST or USE_X_FORWARDED_PORT), but GUEST_AUTH_CLIENT_IP is not "
        "set: guest creation is rate limited by REMOTE_ADDR, the proxy's address, so "
        "every visitor shares one budget.",
        "Set GUEST_AUTH_CLIENT_IP = 'guest_auth.contrib.ipware.client_ip' (pip install "
        "'django-guest-auth[ipware]') or a callable of your own that reads the proxy's header; "
        "see docs/howto/proxies.md.",
    ),
    "guest_auth.W005": (
        Warning,
        "GUEST_AUTH_RATE_LIMIT_CACHE is a RedisCache without socket_timeout and "
        "socket_connect_timeout in OPTIONS: when Redis stalls, each guest-creating "
        "request waits for the client's defaults.",
        'Add "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} to that '
        "cache; see docs/howto/abuse-protection.md.",
    ),
    "guest_auth.W007": (
        Warning,
        "GUEST_AUTH_CLIENT_IP is guest_auth.contrib.ipware.client_ip, but GUEST_AUTH_IPWARE "
        "sets neither proxy_count nor trusted_proxies: any client can choose the address "
        "it is rate limited by.",
        'Set GUEST_AUTH_IPWARE = {"proxy_count": 0} behind one proxy that appends to '
        "X-Forwarded-For, or list your proxies in trusted_proxies; see "
        "docs/howto/proxies.md.",
    ),
    "guest_auth.W001": (
        Warning,
        "GUEST_AUTH_MAX_INACTIVITY is shorter than SESSION_COOKIE_AGE: purge_guests may "
        "delete a guest whose session is still valid.",
        "Set GUEST_AUTH_MAX_INACTIVITY to at least SESSION_COOKIE_AGE seconds.",
    ),
    "guest_auth.W020": (
        Warning,
        "The user model's primary key is a 32-bit integer and every guest uses one "
        "of its 2,147,483,647 ids.",
        "At 10 million new guests a day the ids run out in about 215 days, at 1 million "
        "a day in about 5.9 years (2,147,483,647 / guests per day). Start with a custom "
        "user model whose primary key is a BigAutoField, or silence guest_auth.W020 if "
        "your site will never get near.",
    ),
    "guest_auth.W030": (
        Warning,
        "LOGIN_REDIRECT_URL is Django's default '/accounts/profile/', which no URL pattern "
        "of this site serves: a guest who logs into its account (and is merged into it), "
        "or signs up through django-allauth, lands on a 404.",
        'Set LOGIN_REDIRECT_URL to a page of your site, for example "/". (guest_auth\'s '
        "promote page already sends new accounts to / then; GUEST_AUTH_PROMOTE_REDIRECT_URL "
        "chooses another page.)",
    ),
    "guest_auth.W010": (
        Warning,
        "django-allauth is installed but ACCOUNT_ADAPTER does not include guest_auth's "
        "adapter: allauth's login and signup pages turn guests away, and signing up "
        "creates a new user instead of keeping the guest's data.",
        'Set ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter", or put '
        "guest_auth.contrib.allauth.GuestAccountAdapterMixin first in your adapter's bases.",
    ),
    "guest_auth.W011": (
        Warning,
        "allauth.socialaccount is installed but SOCIALACCOUNT_ADAPTER does not include "
        "guest_auth's adapter: signing up with a provider creates a new user instead of "
        "keeping the guest's data.",
        'Set SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter", '
        "or put guest_auth.contrib.allauth.GuestSocialAccountAdapterMixin first in your "
        "adapter's bases.",
    ),
}


def _message(check_id: str, **kwargs: Any) -> CheckMessage:
    level, msg, hint = MESSAGES[check_id]
    return level(msg, hint=hint, id=check_id, **kwargs)


def _position(middleware: list[str], class_path: str) -> int | None:
    """Index of the first entry that is ``class_path`` or a subclass of it."""
    cls = import_string(class_path)
    for index, path in enumerate(middleware):
        try:
            candidate = import_string(path)
        except ImportError:
            continue  # Django reports unimportable middleware itself.
        if isinstance(candidate, type) and issubclass(candidate, cls):
            return index
    return None


@register(Tags.security, Tags.compatibility)
def check_setup(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    middleware = list(settings.MIDDLEWARE)
    guest_at = _position(middleware, _GUEST_MW)
    auth_at = _position(middleware, _AUTH_MW)
    session_at = _position(middleware, _SESSION_MW)
    if guest_at is None:
        errors.append(_message("guest_auth.E001"))
    elif auth_at is None or auth_at > guest_at:
        errors.append(_message("guest_auth.E002"))
    if session_at is None or (guest_at is not None and session_at > guest_at):
        errors.append(_message("guest_auth.E004"))
    login_required_at = _position(middleware, _LOGIN_REQUIRED_MW)
    if (
        guest_settings.GUEST_ACCESS == "opt-in"
        and login_required_at is not None
        and guest_at is not None
        and login_required_at < guest_at
    ):
        errors.append(_message("guest_auth.E020"))
    if settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ) and not apps.is_installed("django.contrib.sessions"):
        errors.append(_message("guest_auth.E003"))
    return errors


@register(Tags.models)
def check_user_model(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from .adapter import GuestAdapter, get_adapter

    user_model = get_user_model()
    field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    overridden = type(get_adapter()).guest_username is not GuestAdapter.guest_username
    if isinstance(field, models.EmailField) and not field.null and not overridden:
        return [_message("guest_auth.E005", obj=user_model)]
    return []


@register(Tags.urls)
def check_urls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if _reversible("guest_auth:promote"):
        return []
    # Without the page a site can still promote through allauth or the API: a
    # warning there, so that migrate and every other command run; an error
    # only when guests have no way at all to become regular users.
    if _reversible("guest_auth_api:promote") or _allauth_signup():
        return [_message("guest_auth.W006")]
    return [_message("guest_auth.E006")]


@register(Tags.urls)
def check_login_redirect(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = settings.LOGIN_REDIRECT_URL
    if url != global_settings.LOGIN_REDIRECT_URL:
        return []
    try:
        resolve(url)
    except Resolver404:
        return [_message("guest_auth.W030")]
    return []


def _reversible(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def _allauth_signup() -> bool:
    if not apps.is_installed("allauth.account") or not _reversible("account_signup"):
        return False
    from .contrib.allauth._views import integration_enabled

    return integration_enabled()


@register(Tags.security)
def check_inactivity_window(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if guest_settings.MAX_INACTIVITY.total_seconds() < settings.SESSION_COOKIE_AGE:
        return [_message("guest_auth.W001")]
    return []


_PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)
_DUMMY_CACHES = ("django.core.cache.backends.dummy.DummyCache",)


def _rate_limited() -> bool:
    return any(
        rate is not None
        for rate in (
            guest_settings.RATE_LIMIT,
            guest_settings.NETWORK_RATE_LIMIT,
            guest_settings.IPV6_WIDE_NETWORK_RATE_LIMIT,
            guest_settings.GLOBAL_RATE_LIMIT,
        )
    )


_REDIS_CACHES = ("django.core.cache.backends.redis.RedisCache",)


@register(Tags.security, Tags.caches)
def check_rate_limit_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not _rate_limited():
        return []
    config = settings.CACHES[guest_settings.RATE_LIMIT_CACHE]
    backend = config["BACKEND"]
    if backend in _DUMMY_CACHES:
        return [_message("guest_auth.W003")]
    # Development servers run one process; production servers run several.
    if backend in _PER_PROCESS_CACHES and not settings.DEBUG:
        return [_message("guest_auth.W002")]
    options: Any = config.get("OPTIONS") or {}
    if backend in _REDIS_CACHES and not (
        options.get("socket_timeout") and options.get("socket_connect_timeout")
    ):
        return [_message("guest_auth.W005")]
    return []


@register(Tags.security)
def check_client_ip(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # What the settings tell; the requests themselves are watched by
    # guest_auth._ratelimit.client_ip, which logs a warning once per process.
    behind_proxy = (
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        or getattr(settings, "USE_X_FORWARDED_HOST", False)
        or getattr(settings, "USE_X_FORWARDED_PORT", False)
    )
    getter = guest_settings.CLIENT_IP
    if behind_proxy and getter is None and _rate_limited():
        return [_message("guest_auth.W004")]
    options: dict[str, Any] = guest_settings.IPWARE
    if (
        getattr(getter, "__module__", None) == "guest_auth.contrib.ipware"
        and options.get("proxy_count") is None
        and not options.get("trusted_proxies")
    ):
        return [_message("guest_auth.W007")]
    return []


@register(Tags.compatibility)
def check_allauth(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not apps.is_installed("allauth.account"):
        return []
    from .contrib.allauth.checks import missing_adapters

    return [_message(check_id) for check_id in missing_adapters()]


@register(Tags.models, deploy=True)
def check_user_ids(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every guest consumes an id of the user model: a 32-bit key runs out at scale.

    A deployment check (``manage.py check --deploy``): it is about production
    traffic, and would otherwise be printed by every management command, the
    purge's cron job included.
    """
    if not guest_settings.ENABLED:
        return []
    user_model = get_user_model()
    if _id_capacity(user_model) is not None:
        return [_message("guest_auth.W020", obj=user_model)]
    return []


def _id_capacity(model: type[models.Model]) -> int | None:
    """The largest id of ``model``'s integer primary key when it is 32 bits or
    smaller, else None (a 64-bit integer, a UUID, text)."""
    field: Any = model._meta.pk
    while field.is_relation:  # multi-table inheritance: the parent's key
        field = field.target_field
    if not isinstance(field, models.IntegerField) or isinstance(field, models.BigIntegerField):
        return None
    if isinstance(field, models.SmallIntegerField):
        return 2**15 - 1
    return 2**31 - 1


@register(Tags.compatibility)
def check_api_tokens(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if guest_settings.API_TOKENS != "jwt":
        return []
    from importlib.util import find_spec

    if find_spec("rest_framework_simplejwt") is None:
        return [_message("guest_auth.E017")]
    return []
