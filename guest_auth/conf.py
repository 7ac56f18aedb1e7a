"""Settings for guest_auth: one defaults table, read when accessed.

Every setting is named ``GUEST_AUTH_<NAME>`` in the Django settings module.
Values are validated and normalised on first access and cached until Django's
``setting_changed`` signal fires, so ``override_settings`` works in tests.
A ``GUEST_AUTH_*`` name that is not in :data:`DEFAULTS`, or a malformed value,
raises ``ImproperlyConfigured`` naming the setting.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.middleware.csrf import CSRF_SESSION_KEY
from django.utils.module_loading import import_string

from ._durations import parse_rate, to_timedelta

__all__ = ["DEFAULTS", "PREFIX", "guest_settings"]

PREFIX = "GUEST_AUTH_"

# Matched case-insensitively with re.search against the User-Agent header.
# Deliberately limited to crawlers, link unfurlers and monitors: generic HTTP
# libraries (okhttp, CFNetwork, python-requests) are also what real mobile and
# API clients send, so they are not listed.
DEFAULT_BLOCKED_USER_AGENTS: tuple[str, ...] = (
    r"bot\b",
    r"crawl",
    r"spider",
    r"slurp",
    r"archiver",
    r"facebookexternalhit",
    r"facebookcatalog",
    r"embedly",
    r"mediapartners-google",
    r"google-inspectiontool",
    r"apis-google",
    r"feedfetcher",
    r"bingpreview",
    r"yandex",
    r"whatsapp",
    r"skypeuripreview",
    r"vkshare",
    r"pinterest",
    r"lighthouse",
    r"pingdom",
    r"uptimerobot",
    r"statuscake",
    r"site24x7",
    r"prerender",
)

DEFAULTS: dict[str, Any] = {
    # Master switch: when False no new guests are created (existing ones keep
    # working and can still be promoted).
    "ENABLED": True,
    # A guest idle for longer than this is deleted by purge_guests.
    "MAX_INACTIVITY": timedelta(days=30),
    # last_seen_at is written at most once per guest session per interval.
    "ACTIVITY_INTERVAL": timedelta(hours=1),
    # Regexes (case-insensitive search) of User-Agents that never get a guest.
    "BLOCKED_USER_AGENTS": DEFAULT_BLOCKED_USER_AGENTS,
    # Where the promote view sends the new user when there is no safe `next`;
    # a URL, a path or a URL name. None means settings.LOGIN_REDIRECT_URL, or "/"
    # while that is Django's default /accounts/profile/ and no page serves it.
    "PROMOTE_REDIRECT_URL": None,
    # Where the delete view sends a guest who deleted itself; a URL, a path or
    # a URL name. None means settings.LOGOUT_REDIRECT_URL, else "/".
    "DELETE_REDIRECT_URL": None,
    # What the REST API hands out to guests: "opaque" (guest_auth's own API
    # tokens) or "jwt" (djangorestframework-simplejwt access/refresh pairs).
    "API_TOKENS": "opaque",
    # Guests deleted per transaction by purge_guests.
    "PURGE_BATCH_SIZE": 1000,
    # Dotted path of the GuestAdapter subclass that makes the site's decisions.
    "ADAPTER": "guest_auth.adapter.GuestAdapter",
    # When a guest's session logs into an existing user, merge the guest into it.
    "MERGE_ON_LOGIN": True,
    # "app_label.Model" -> "move" | "keep-user" | "drop" | dotted path of a
    # callable (guest, user, queryset), where the default merge is wrong.
    "MERGE_POLICIES": {},
    # Session keys of the guest's session kept when it logs into a user.
    "MERGE_SESSION_KEYS": (),
    # Guest creations allowed per client IP, as COUNT/PERIOD ("100/h"); None: no
    # limit. Generous on purpose: one IPv4 address can be a carrier-grade NAT,
    # an office or a campus with hundreds of people behind it (see
    # docs/howto/abuse-protection.md for the reasoning behind each default).
    "RATE_LIMIT": "100/h",
    # ... per network (/24 for IPv4, /64 for IPv6); None: no limit.
    "NETWORK_RATE_LIMIT": "300/h",
    # ... per wider IPv6 network (IPV6_WIDE_PREFIX): a home or office gets a
    # /56 or /48, that is 256 or 65,536 /64s; None: no limit.
    "IPV6_WIDE_NETWORK_RATE_LIMIT": "1000/h",
    # The prefix length of that wider IPv6 network.
    "IPV6_WIDE_PREFIX": 48,
    # ... for the whole site; None: no limit.
    "GLOBAL_RATE_LIMIT": None,
    # Data exports (guest_auth:export, api/guest/me/export/) allowed per guest,
    # as COUNT/PERIOD; None: no limit. An export reads every row of the guest.
    "EXPORT_RATE_LIMIT": "10/h",
    # The cache alias holding the counters; share it between processes (Redis).
    "RATE_LIMIT_CACHE": "default",
    # When that cache fails or times out: "allow" creates the guest without
    # counting it (and logs an error), "refuse" answers 503 with Retry-After.
    "RATE_LIMIT_ON_CACHE_ERROR": "allow",
    # Dotted path of a callable(request) -> IP string; None reads REMOTE_ADDR.
    # guest_auth.contrib.ipware.client_ip reads proxies' headers with django-ipware.
    "CLIENT_IP": None,
    # Options of guest_auth.contrib.ipware.client_ip: proxy_count, trusted_proxies,
    # proxy_networks and headers (see that module and docs/howto/proxies.md).
    "IPWARE": {},
    # "all": guests are logged-in users everywhere. "opt-in": guests reach as
    # guests only the views that opt in (allow_guest, guests_allowed,
    # regular_user_required, their mixins, the guest API, allauth's entrance
    # pages); every other view sees them as anonymous visitors.
    "GUEST_ACCESS": "all",
}


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}.")
    return value


def _duration(name: str, value: Any) -> timedelta:
    try:
        return to_timedelta(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer, not {value!r}.")
    return value


def _patterns(name: str, value: Any) -> re.Pattern[str] | None:
    """Compile the list into one alternation, or None when empty."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ImproperlyConfigured(
            f"{name} must be a list or tuple of regular expressions, not {value!r}."
        )
    sources = []
    for item in value:
        source = item.pattern if isinstance(item, re.Pattern) else item
        if not isinstance(source, str):
            raise ImproperlyConfigured(f"{name} must contain strings, not {item!r}.")
        try:
            re.compile(source)
        except re.error as exc:
            raise ImproperlyConfigured(
                f"{name} contains an invalid regular expression {source!r}: {exc}."
            ) from None
        sources.append(f"(?:{source})")
    if not sources:
        return None
    return re.compile("|".join(sources), re.IGNORECASE)


def _optional_str(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ImproperlyConfigured(f"{name} must be a string or None, not {value!r}.")
    return value or None


def _dotted_path(name: str, value: Any) -> str:
    if not isinstance(value, str) or "." not in value:
        raise ImproperlyConfigured(
            f"{name} must be a dotted import path such as "
            f"'myapp.adapters.MyGuestAdapter', not {value!r}."
        )
    return value


_MERGE_KEYWORDS = ("move", "keep-user", "drop")
_MERGE_POLICY_HELP = "'move', 'keep-user', 'drop' or a dotted path to a callable"


def _merge_policies(name: str, value: Any) -> dict[str, str | Callable[..., Any]]:
    """Key by the model's canonical label; import callables now, so a typo fails at startup.

    Read when the app registry has its models (guest_auth's ready() validates).
    """
    if not isinstance(value, dict):
        raise ImproperlyConfigured(
            f"{name} must be a dict mapping 'app_label.Model' to {_MERGE_POLICY_HELP}, "
            f"not {value!r}."
        )
    policies: dict[str, str | Callable[..., Any]] = {}
    for label, policy in value.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError, TypeError):
            raise ImproperlyConfigured(f"{name}: {label!r} is not an installed model.") from None
        entry = f"{name}[{label!r}]"
        if not isinstance(policy, str) or (policy not in _MERGE_KEYWORDS and "." not in policy):
            raise ImproperlyConfigured(f"{entry} must be {_MERGE_POLICY_HELP}, not {policy!r}.")
        if policy not in _MERGE_KEYWORDS:
            try:
                function = import_string(policy)
            except ImportError as exc:
                raise ImproperlyConfigured(
                    f"{entry}: {policy!r} cannot be imported: {exc}"
                ) from None
            if not callable(function):
                raise ImproperlyConfigured(f"{entry}: {policy!r} is not callable.")
            policies[model._meta.label] = function
        else:
            policies[model._meta.label] = policy
    return policies


# Keys login() and guest_auth manage themselves: carrying them over would undo
# the login (or the CSRF token rotation) it just did.
_RESERVED_SESSION_KEYS = (
    SESSION_KEY,
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    CSRF_SESSION_KEY,
    "_session_expiry",
)


def _session_keys(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ImproperlyConfigured(
            f"{name} must be a list or tuple of session keys, not {value!r}."
        )
    for key in value:
        if not isinstance(key, str):
            raise ImproperlyConfigured(f"{name} must contain strings, not {key!r}.")
        if key in _RESERVED_SESSION_KEYS or key.startswith("_guest_auth_"):
            raise ImproperlyConfigured(
                f"{name} cannot carry over {key!r}: login manages that key itself."
            )
    return tuple(value)


def _imported(name: str, path: str) -> Any:
    try:
        return import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{name}: {path!r} cannot be imported: {exc}") from None


def _importable_path(name: str, value: Any) -> str:
    """A dotted path, imported now so that a typo fails at startup."""
    _imported(name, _dotted_path(name, value))
    return value


def _optional_callable(name: str, value: Any) -> Callable[..., Any] | None:
    """None, or the callable the dotted path names (imported now, at startup)."""
    if value is None:
        return None
    function = _imported(name, _dotted_path(name, value))
    if not callable(function):
        raise ImproperlyConfigured(f"{name}: {value!r} is not callable.")
    return function


def _optional_rate(name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ImproperlyConfigured(f"{name} must be a rate such as '30/h' or None, not {value!r}.")
    try:
        return parse_rate(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


def _ipv6_prefix(name: str, value: Any) -> int:
    # Wider than a /64 (the network scope) and not absurdly wide.
    if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= 63:
        raise ImproperlyConfigured(f"{name} must be an integer from 16 to 63, not {value!r}.")
    return value


def _one_of(*choices: str) -> Callable[[str, Any], str]:
    def clean(name: str, value: Any) -> str:
        if value not in choices:
            listed = " or ".join(repr(choice) for choice in choices)
            raise ImproperlyConfigured(f"{name} must be {listed}, not {value!r}.")
        return value

    return clean


_IPWARE_OPTIONS = ("proxy_count", "trusted_proxies", "headers", "proxy_networks")


def _ipware_options(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a dict, not {value!r}.")
    for key in value:
        if key not in _IPWARE_OPTIONS:
            raise ImproperlyConfigured(
                f"{name} has no option {key!r} (options: {', '.join(_IPWARE_OPTIONS)})."
            )
    count = value.get("proxy_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ImproperlyConfigured(
            f"{name}['proxy_count'] must be a non-negative integer or None, not {count!r}."
        )
    for key, help_text in (
        ("trusted_proxies", "a list of addresses or networks"),
        ("headers", "a list of request.META names such as 'HTTP_X_FORWARDED_FOR'"),
    ):
        items = value.get(key, [])
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise ImproperlyConfigured(f"{name}[{key!r}] must be {help_text}, not {items!r}.")
    networks = value.get("proxy_networks", [])
    if not isinstance(networks, (list, tuple)):
        raise ImproperlyConfigured(
            f"{name}['proxy_networks'] must be a list of networks such as '10.0.0.0/8', "
            f"not {networks!r}."
        )
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                f"{name}['proxy_networks'] has {network!r}, not a network such as "
                "'203.0.113.0/24' or '2001:db8::/32'."
            ) from None
    return dict(value)


def _cache_alias(name: str, value: Any) -> str:
    if not isinstance(value, str) or value not in django_settings.CACHES:
        raise ImproperlyConfigured(f"{name} must name an alias in CACHES, not {value!r}.")
    return value


def _api_tokens(name: str, value: Any) -> str:
    if value not in ("opaque", "jwt"):
        raise ImproperlyConfigured(f"{name} must be 'opaque' or 'jwt', not {value!r}.")
    return str(value)


_CLEANERS: dict[str, Callable[[str, Any], Any]] = {
    "ENABLED": _bool,
    "MAX_INACTIVITY": _duration,
    "ACTIVITY_INTERVAL": _duration,
    "BLOCKED_USER_AGENTS": _patterns,
    "PROMOTE_REDIRECT_URL": _optional_str,
    "DELETE_REDIRECT_URL": _optional_str,
    "API_TOKENS": _api_tokens,
    "PURGE_BATCH_SIZE": _positive_int,
    "ADAPTER": _importable_path,
    "MERGE_ON_LOGIN": _bool,
    "MERGE_POLICIES": _merge_policies,
    "MERGE_SESSION_KEYS": _session_keys,
    "RATE_LIMIT": _optional_rate,
    "NETWORK_RATE_LIMIT": _optional_rate,
    "IPV6_WIDE_NETWORK_RATE_LIMIT": _optional_rate,
    "IPV6_WIDE_PREFIX": _ipv6_prefix,
    "GLOBAL_RATE_LIMIT": _optional_rate,
    "EXPORT_RATE_LIMIT": _optional_rate,
    "RATE_LIMIT_CACHE": _cache_alias,
    "RATE_LIMIT_ON_CACHE_ERROR": _one_of("allow", "refuse"),
    "CLIENT_IP": _optional_callable,
    "IPWARE": _ipware_options,
    "GUEST_ACCESS": _one_of("all", "opt-in"),
}
assert _CLEANERS.keys() == DEFAULTS.keys()


class GuestAuthSettings:
    """Attribute access to the cleaned settings: ``guest_settings.MAX_INACTIVITY``.

    ``BLOCKED_USER_AGENTS`` comes back compiled into one pattern (or None), the
    ``*RATE_LIMIT`` settings as ``Rate(count, seconds)`` (or None), ``CLIENT_IP``
    as the imported callable (or None).
    """

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}
        self._names_checked = False

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid guest_auth setting: {name!r}")
        try:
            return self._cache[name]
        except KeyError:
            pass
        if not self._names_checked:
            self.check_names()
        full_name = PREFIX + name
        value = _CLEANERS[name](full_name, getattr(django_settings, full_name, DEFAULTS[name]))
        self._cache[name] = value
        # Kept as an instance attribute too: later reads are plain attribute
        # lookups that never reach __getattr__ (several run on every request).
        self.__dict__[name] = value
        return value

    def check_names(self) -> None:
        unknown = sorted(
            attr
            for attr in dir(django_settings)
            if attr.startswith(PREFIX) and attr[len(PREFIX) :] not in DEFAULTS
        )
        if unknown:
            known = ", ".join(PREFIX + key for key in DEFAULTS)
            raise ImproperlyConfigured(
                f"Unknown setting {unknown[0]}: guest_auth has no such setting "
                f"(known settings: {known})."
            )
        self._names_checked = True

    def validate(self) -> None:
        """Clean every setting now, raising ImproperlyConfigured on the first bad one."""
        self.check_names()
        for name in DEFAULTS:
            getattr(self, name)

    def reload(self) -> None:
        for name in self._cache:
            self.__dict__.pop(name, None)
        self._cache.clear()
        self._names_checked = False


guest_settings = GuestAuthSettings()


def _reload_settings(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(PREFIX):
        guest_settings.reload()


setting_changed.connect(_reload_settings, dispatch_uid="guest_auth.conf.reload")
