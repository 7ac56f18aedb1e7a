"""The client's address as the benchmark's "proxy" reports it.

A real deployment runs behind a proxy and names a GUEST_AUTH_CLIENT_IP
callable that reads the proxy's header; the benchmark's clients send
``X-Forwarded-For`` themselves, one address (and one /24 network) per
simulated visitor, so the default rate limits apply per visitor as they
would in production rather than to the one address every request comes from.
"""


def client_ip(request):
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # The last hop is the one the (trusted) proxy appended.
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")


def visitor_address(n: int) -> str:
    """A distinct address, in a distinct /24, for the ``n``-th visitor."""
    return f"10.{(n >> 8) & 255}.{n & 255}.{1 + (n >> 16) % 254}"
