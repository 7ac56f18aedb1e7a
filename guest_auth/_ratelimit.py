"""Rate limits on guest creation, counted in Django's cache framework.

Three fixed-window counters, each optional: per client IP, per network (/24 for
IPv4, /64 for IPv6) and one global budget. With a shared cache (Django's
RedisCache) every process and server enforces the same limit, because the
counters are incremented atomically in the cache.
"""

from __future__ import annotations

import ipaddress
import math
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .conf import guest_settings
from .exceptions import RateLimited

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

__all__ = ["check_creation_rate", "client_ip"]


@lru_cache(maxsize=8)
def _load_ip_getter(path: str) -> Callable[[HttpRequest], Any]:
    try:
        getter = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"GUEST_AUTH_CLIENT_IP {path!r} cannot be imported: {exc}"
        ) from exc
    if not callable(getter):
        raise ImproperlyConfigured(f"GUEST_AUTH_CLIENT_IP {path!r} is not callable.")
    return getter


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or what GUEST_AUTH_CLIENT_IP returns.

    Behind a proxy, REMOTE_ADDR is the proxy's address; name a callable that
    reads your proxy's header (it alone knows which hops to trust).
    """
    path = guest_settings.CLIENT_IP
    raw = _load_ip_getter(path)(request) if path else request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(str(raw).strip()))
    except ValueError:
        return None


def _network(ip: str) -> str:
    prefix = 24 if ipaddress.ip_address(ip).version == 4 else 64
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False).with_prefixlen


def check_creation_rate(request: HttpRequest) -> None:
    """Count one guest creation for this request; raise RateLimited when over a limit.

    The per-IP counter is checked first, so a client over its own limit does
    not also use up its network's or the global budget.
    """
    ip = client_ip(request)
    # Clients whose address cannot be read share one bucket rather than none.
    ident = ip or "unknown"
    scopes = (
        ("ip", guest_settings.RATE_LIMIT, ident),
        ("net", guest_settings.NETWORK_RATE_LIMIT, _network(ip) if ip else "unknown"),
        ("all", guest_settings.GLOBAL_RATE_LIMIT, "all"),
    )
    cache = caches[guest_settings.RATE_LIMIT_CACHE]
    for scope, rate, key_part in scopes:
        if rate is None:
            continue
        now = time.time()
        window = int(now // rate.seconds)
        key = f"guest_auth:rate:{scope}:{rate.seconds}:{key_part}:{window}"
        # add() creates the counter at 1 unless it exists (one round trip to
        # Redis for a new client, the usual case when creating a guest);
        # otherwise incr(), atomic in Redis, Memcached and LocMemCache.
        if cache.add(key, 1, timeout=rate.seconds + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=rate.seconds + 1)
                count = 1
        if count > rate.count:
            raise RateLimited(retry_after=max(1, math.ceil((window + 1) * rate.seconds - now)))
