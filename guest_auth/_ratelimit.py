"""Rate limits on guest creation (and on data exports), counted in Django's cache framework.

Fixed-window counters, each optional: per client IP, per network (/24 for
IPv4, /64 for IPv6), per wider IPv6 network (/48 by default) and one global
budget. Addresses are normalised first (IPv4-mapped IPv6 becomes IPv4, zone ids
go). With a shared cache (Django's RedisCache) every process and server
enforces the same limit, because the counters are incremented atomically in
the cache.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.cache import caches

from ._counters import Counter, count
from .conf import guest_settings
from .exceptions import RateLimited, RateLimitUnavailable

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ._durations import Rate

__all__ = [
    "CACHE_RETRY_SECONDS",
    "cache_down_until",
    "check_creation_rate",
    "check_export_rate",
    "client_ip",
    "is_proxy_address",
    "normalise_ip",
    "use_namespace",
    "warn_behind_proxy",
]

# Part of every counter's cache key. guest_auth.testing gives each test a
# namespace of its own, so that no test sees the guest creations of another
# (every test client comes from 127.0.0.1).
_namespace = ""

logger = logging.getLogger("guest_auth.ratelimit")


def normalise_ip(raw: object) -> str | None:
    """The address to key a client by, or None when ``raw`` is not an address.

    IPv4-mapped (``::ffff:192.0.2.1``, what a server bound to ``[::]`` sees for
    IPv4 clients) and IPv4-compatible (``::192.0.2.1``) addresses become IPv4;
    a zone id (``fe80::1%eth0``) names an interface of the server, not a
    client, and is dropped.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if ":" in text:
        text = text.split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if int(ip) >> 32 == 0 and int(ip) > 1:  # ::/96 without :: and ::1
            return str(ipaddress.IPv4Address(int(ip)))
    return str(ip)


# Headers a reverse proxy or CDN adds with the client's address.
_FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
)
# Where proxies and load balancers talk from: loopback, RFC 1918, RFC 6598
# (carrier-grade NAT, some PaaS routers), link-local, IPv6 unique local.
_PROXY_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


def is_proxy_address(ip: str) -> bool:
    """Whether ``ip`` (normalised) is where proxies talk from: loopback, private
    ranges (RFC 1918, RFC 6598, link-local, IPv6 unique local)."""
    address = ipaddress.ip_address(ip)
    return any(address in net for net in _PROXY_NETWORKS)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, normalised: REMOTE_ADDR, or what GUEST_AUTH_CLIENT_IP returns.

    Behind a proxy, REMOTE_ADDR is the proxy's address; name a callable that
    reads your proxy's header (it alone knows which hops to trust), such as
    guest_auth.contrib.ipware.client_ip.
    """
    getter = guest_settings.CLIENT_IP
    if getter is not None:
        return normalise_ip(getter(request))
    ip = normalise_ip(request.META.get("REMOTE_ADDR"))
    if ip is not None and is_proxy_address(ip):
        header = next((h for h in _FORWARDING_HEADERS if request.META.get(h)), None)
        if header is not None:
            warn_behind_proxy(ip, header)
    return ip


@lru_cache(maxsize=1)
def warn_behind_proxy(ip: str, header: str) -> None:
    """Log, once per process, that the site looks to be behind a proxy.

    The cache (cache_clear() resets it) skips repeats; its size tells whether
    another address or header was logged before.
    """
    if warn_behind_proxy.cache_info().currsize:
        return
    name = "-".join(part.capitalize() for part in header[len("HTTP_") :].split("_"))
    logger.warning(
        "Guest creation requests come from %s, a private or loopback address, with the "
        "header %s: this site looks to be behind a proxy, and every visitor shares the "
        "proxy's rate-limit budget. Set GUEST_AUTH_CLIENT_IP (see "
        "guest_auth.contrib.ipware) to read the client's address.",
        ip,
        name,
    )


def _scopes(ip: str | None) -> list[tuple[str, Rate, str]]:
    """(scope, rate, key) for every limit in force for this client."""
    if ip is None:
        # Clients whose address cannot be read share one bucket rather than none.
        keyed = [
            ("ip", guest_settings.RATE_LIMIT, "unknown"),
            ("net", guest_settings.NETWORK_RATE_LIMIT, "unknown"),
        ]
    else:
        address = ipaddress.ip_address(ip)
        v6 = address.version == 6
        keyed = [
            ("ip", guest_settings.RATE_LIMIT, ip),
            ("net", guest_settings.NETWORK_RATE_LIMIT, _network(ip, 64 if v6 else 24)),
        ]
        if v6:
            wide = guest_settings.IPV6_WIDE_PREFIX
            keyed.append(
                (f"wide{wide}", guest_settings.IPV6_WIDE_NETWORK_RATE_LIMIT, _network(ip, wide))
            )
    keyed.append(("all", guest_settings.GLOBAL_RATE_LIMIT, "all"))
    return [(scope, rate, key) for scope, rate, key in keyed if rate is not None]


def use_namespace(namespace: str) -> str:
    """Count from now on under ``namespace`` (empty: the shared counters); return
    the namespace in use before. Counters of other namespaces are left to expire."""
    global _namespace
    previous, _namespace = _namespace, f"{namespace}:" if namespace else ""
    return previous.rstrip(":")


def _network(ip: str, prefix: int) -> str:
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False).with_prefixlen


#: After the cache failed, this process stops asking it for this long: a
#: stalled cache then costs one timeout per process per period, not one per
#: request.
CACHE_RETRY_SECONDS = 10
# cache alias -> time.monotonic() until which it is not asked.
cache_down_until: dict[str, float] = {}


def check_creation_rate(request: HttpRequest) -> None:
    """Count one guest creation for this request; raise RateLimited when over a limit.

    The per-IP counter is checked first, so a client over its own limit does
    not also use up its network's or the global budget. When the cache fails
    or times out, GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR decides: "allow" lets
    the creation through uncounted (an error is logged), "refuse" raises
    RateLimitUnavailable.
    """
    scopes = _scopes(client_ip(request))
    if not scopes:
        return
    down_for = _counted(
        scopes,
        "creates" if guest_settings.RATE_LIMIT_ON_CACHE_ERROR == "allow" else "refuses",
        "guests without counting them (GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR = "
        f"{guest_settings.RATE_LIMIT_ON_CACHE_ERROR!r})",
    )
    if down_for:
        _cache_failed(down_for)


def check_export_rate(user: Any) -> None:
    """Count one data export of ``user``; raise RateLimited over GUEST_AUTH_EXPORT_RATE_LIMIT.

    Counted per user, whatever its address. When the cache fails, the export
    goes ahead uncounted (an error is logged): it reads, it changes nothing.
    """
    rate = guest_settings.EXPORT_RATE_LIMIT
    if rate is not None:
        _counted(
            [("export", rate, str(user.pk))], "lets", "data exports through without counting them"
        )


def _counted(scopes: list[tuple[str, Rate, str]], verb: str, what: str) -> int:
    """Count ``scopes`` in the rate-limit cache (RateLimited over a limit).

    Returns 0, or the seconds this process leaves the cache alone because it
    failed (now, or within CACHE_RETRY_SECONDS): the caller decides whether
    to go ahead uncounted. The first failure is logged: "this process
    <verb> <what>".
    """
    alias = guest_settings.RATE_LIMIT_CACHE
    down_until = cache_down_until.get(alias, 0.0)
    if time.monotonic() < down_until:
        return math.ceil(down_until - time.monotonic())
    try:
        _count(caches[alias], scopes)
    except RateLimited:
        raise
    except Exception:
        cache_down_until[alias] = time.monotonic() + CACHE_RETRY_SECONDS
        logger.exception(
            "The rate-limit cache %r failed; for %d s this process %s %s.",
            alias,
            CACHE_RETRY_SECONDS,
            verb,
            what,
        )
        return CACHE_RETRY_SECONDS
    return 0


def _cache_failed(retry_after: int) -> None:
    if guest_settings.RATE_LIMIT_ON_CACHE_ERROR == "refuse":
        raise RateLimitUnavailable(retry_after=max(1, retry_after))


def _count(cache: Any, scopes: list[tuple[str, Rate, str]]) -> None:
    now = time.time()
    counters = {}
    for scope, rate, key_part in scopes:
        window = int(now // rate.seconds)
        key = f"guest_auth:rate:{_namespace}{scope}:{rate.seconds}:{key_part}:{window}"
        counter = Counter(key, timeout=rate.seconds + 1, limit=rate.count)
        counters[counter] = (rate, window)
    over = count(cache, list(counters))
    if over is not None:
        rate, window = counters[over]
        raise RateLimited(retry_after=max(1, math.ceil((window + 1) * rate.seconds - now)))
