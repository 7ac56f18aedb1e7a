"""A real HTTP server bound to [::] (dual stack), as gunicorn or runserver -6
are: IPv4 clients arrive as ::ffff:a.b.c.d and must be rate limited as IPv4.

Loopback stands for the Internet: connections from 127.0.0.1, 127.0.0.2 and
127.0.1.1 (any 127/8 source address works on Linux) reach the server as
IPv4-mapped addresses, and ::1 as IPv6.
"""

import http.client
import socket

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread

from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA


def _dual_stack_available():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            probe.bind(("::", 0))
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(not _dual_stack_available(), reason="no IPv6 dual-stack socket here"),
    pytest.mark.django_db(transaction=True),
]


class DualStackServer(ThreadedWSGIServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        # Accept IPv4 too, whatever net.ipv6.bindv6only says.
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class DualStackThread(LiveServerThread):
    server_class = DualStackServer


@pytest.fixture
def server():
    # The in-memory SQLite database is shared with the server's thread, as
    # LiveServerTestCase does.
    override = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in override.values():
        conn.inc_thread_sharing()
    # No static files here: the WSGI handler as is.
    thread = DualStackThread("::", lambda handler: handler, connections_override=override)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread.port
    thread.terminate()
    for conn in override.values():
        conn.dec_thread_sharing()


def visit(port, source, target="127.0.0.1"):
    """The status of GET /guest-view/ sent from the address ``source``."""
    conn = http.client.HTTPConnection(target, port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", "/guest-view/", headers={"User-Agent": BROWSER_UA})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@override_settings(GUEST_AUTH_RATE_LIMIT=None, GUEST_AUTH_NETWORK_RATE_LIMIT="1/h")
def test_ipv4_clients_of_a_dual_stack_server_are_limited_per_ipv4_network(server):
    # Before: every IPv4 client was keyed as ::ffff:..., all in the one network ::/64.
    assert visit(server, "127.0.0.1") == 200
    assert visit(server, "127.0.1.1") == 200  # another /24
    assert visit(server, "127.0.2.1") == 200
    assert visit(server, "127.0.0.2") == 429  # the first one's /24
    assert visit(server, "::1", target="::1") == 200  # IPv6: its own /64
    assert Guest.objects.count() == 4


@override_settings(GUEST_AUTH_RATE_LIMIT="1/h", GUEST_AUTH_NETWORK_RATE_LIMIT=None)
def test_the_server_really_sees_mapped_addresses(server, monkeypatch):
    # What the rate limit is given: REMOTE_ADDR, IPv4-mapped.
    from guest_auth import _ratelimit

    seen = []
    original = _ratelimit.normalise_ip

    def recording(raw):
        seen.append(raw)
        return original(raw)

    monkeypatch.setattr(_ratelimit, "normalise_ip", recording)
    assert visit(server, "127.0.0.3") == 200
    assert seen == ["::ffff:127.0.0.3"]
