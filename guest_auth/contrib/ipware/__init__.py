"""A GUEST_AUTH_CLIENT_IP for sites behind proxies, on django-ipware.

    pip install "django-guest-auth[ipware]"

    GUEST_AUTH_CLIENT_IP = "guest_auth.contrib.ipware.client_ip"
    GUEST_AUTH_IPWARE = {"proxy_count": 0}  # nginx in front, appending X-Forwarded-For

``GUEST_AUTH_IPWARE`` options (see docs/howto/proxies.md for nginx, a PaaS and
Cloudflare):

- ``proxy_count``: how many proxies between the client and the last one are
  listed in the header (0 when a single proxy appends the client's address).
  The client is read that many entries from the right, so entries a client
  sends itself, which come first, are never believed.
- ``trusted_proxies``: instead, the addresses or networks (``"10.0.0.0/8"``)
  of the proxies listed at the end of the header, in order.
- ``proxy_networks``: networks (``"203.0.113.0/24"``) of proxies that reach
  the app from public addresses. The headers are believed only when
  REMOTE_ADDR is a proxy's: loopback, a private range (10/8, 172.16/12,
  192.168/16, 100.64/10, link-local, ``fc00::/7``), one of these networks, or
  one of ``trusted_proxies``. A client that reaches the app server directly is
  counted under its own address, whatever it sends.
- ``headers``: the request.META names to read, in order of preference
  (``["HTTP_X_FORWARDED_FOR"]`` when absent; ``["HTTP_CF_CONNECTING_IP"]``
  behind Cloudflare). REMOTE_ADDR is used when none of them is usable. Not django-ipware's
  long default list: any header in it that the proxy does not overwrite, a
  client could send.

Without ``proxy_count`` or ``trusted_proxies`` any client can choose its
address (check guest_auth.W007).
"""

from __future__ import annotations

import importlib.util
import ipaddress
from typing import TYPE_CHECKING, Any

from guest_auth._ratelimit import is_proxy_address, normalise_ip
from guest_auth.conf import guest_settings

# Fail where GUEST_AUTH_CLIENT_IP is imported (at startup, as an
# ImproperlyConfigured naming the setting), not on the first guest creation.
if importlib.util.find_spec("ipware") is None:
    raise ImportError(
        "guest_auth.contrib.ipware needs django-ipware: pip install 'django-guest-auth[ipware]'"
    )

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["DEFAULT_HEADERS", "client_ip"]

DEFAULT_HEADERS = ("HTTP_X_FORWARDED_FOR",)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the configured proxies report it, else REMOTE_ADDR."""
    # Imported here: walking guest_auth's packages (as Django's checks and
    # tests do) must not need django-ipware.
    from ipware import get_client_ip

    options = guest_settings.IPWARE
    remote_addr = request.META.get("REMOTE_ADDR")
    if not _from_proxy(remote_addr, options):
        return remote_addr
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=options.get("proxy_count"),
        proxy_trusted_ips=options.get("trusted_proxies") or None,
        request_header_order=list(options.get("headers", DEFAULT_HEADERS)),
        # Not strict: extra entries a client put first are skipped, not a reason
        # to fall back to the proxy's own address (one budget for everyone).
        strict=False,
    )
    # django-ipware ranks a public REMOTE_ADDR above a private or reserved
    # client address in a header; here the header wins whenever it is usable.
    return ip if ip is not None else request.META.get("REMOTE_ADDR")


def _from_proxy(remote_addr: str | None, options: dict[str, Any]) -> bool:
    """Whether the peer is a proxy, whose forwarding headers may be believed."""
    peer = normalise_ip(remote_addr)
    if peer is None:
        return False
    if is_proxy_address(peer):
        return True
    address = ipaddress.ip_address(peer)
    for network in options.get("proxy_networks", ()):
        if address in ipaddress.ip_network(network, strict=False):
            return True
    for proxy in options.get("trusted_proxies", ()):
        # django-ipware's forms: an address, a network or a prefix ("10.1.").
        try:
            if address in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            if peer.startswith(proxy):
                return True
    return False
