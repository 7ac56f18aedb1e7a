"""GUEST_AUTH_CLIENT_IP of the configurations: they are deployed behind a
TLS-terminating proxy (SECURE_PROXY_SSL_HEADER), which must tell guest_auth the
client's address (check guest_auth.W004). This one stands for nginx with
``proxy_set_header X-Real-IP $remote_addr;``; without the header, REMOTE_ADDR.
A callable of the site's own, as docs/howto/proxies.md shows, so that the
configurations need no django-ipware.
"""


def client_ip(request):
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
