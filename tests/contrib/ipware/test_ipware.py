"""guest_auth.contrib.ipware.client_ip: GUEST_AUTH_CLIENT_IP for sites behind proxies."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from guest_auth.conf import guest_settings
from guest_auth.contrib.ipware import client_ip
from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA

CALLABLE = "guest_auth.contrib.ipware.client_ip"
rf = RequestFactory()


def request(remote_addr="127.0.0.1", **headers):
    return rf.get("/", REMOTE_ADDR=remote_addr, **headers)


@override_settings(GUEST_AUTH_IPWARE={"proxy_count": 0})
@pytest.mark.parametrize(
    "forwarded_for,expected",
    [
        ("203.0.113.9", "203.0.113.9"),
        # nginx's $proxy_add_x_forwarded_for appends the peer to what the client sent.
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),
        ("6.6.6.6, 7.7.7.7, 2001:db8::9", "2001:db8::9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_nginx_one_proxy(forwarded_for, expected):
    assert client_ip(request(HTTP_X_FORWARDED_FOR=forwarded_for)) == expected


@override_settings(GUEST_AUTH_IPWARE={"proxy_count": 1})
def test_two_proxies():
    # A load balancer in front of nginx: the balancer's address is the last entry.
    forwarded = "6.6.6.6, 203.0.113.9, 10.0.0.2"
    assert client_ip(request(HTTP_X_FORWARDED_FOR=forwarded)) == "203.0.113.9"


@override_settings(GUEST_AUTH_IPWARE={"trusted_proxies": ["10.0.0.0/8"]})
def test_trusted_proxies():
    forwarded = "6.6.6.6, 203.0.113.9, 10.0.0.2"
    assert client_ip(request(HTTP_X_FORWARDED_FOR=forwarded)) == "203.0.113.9"
    # Not through the trusted proxy: the chain is not believed.
    assert client_ip(request("203.0.113.50", HTTP_X_FORWARDED_FOR="6.6.6.6")) != "6.6.6.6"


@override_settings(
    GUEST_AUTH_IPWARE={
        "headers": ["HTTP_CF_CONNECTING_IP"],
        "proxy_count": 0,
        # Cloudflare's edge reaches the origin from its published (public) ranges.
        "proxy_networks": ["172.64.0.0/13", "2606:4700::/32"],
    }
)
def test_cloudflare():
    req = request(
        "172.70.1.1", HTTP_CF_CONNECTING_IP="2001:db8::77", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert client_ip(req) == "2001:db8::77"


@override_settings(GUEST_AUTH_IPWARE={"proxy_count": 0})
def test_no_header_falls_back_to_remote_addr():
    assert client_ip(request("198.51.100.4")) == "198.51.100.4"


@pytest.mark.django_db
@override_settings(
    GUEST_AUTH_CLIENT_IP=CALLABLE,
    GUEST_AUTH_IPWARE={"proxy_count": 0},
    GUEST_AUTH_RATE_LIMIT="1/h",
    GUEST_AUTH_NETWORK_RATE_LIMIT=None,
)
def test_visitors_behind_nginx_get_their_own_budget():
    def visit(forwarded):
        client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="127.0.0.1")
        return client.get("/guest-view/", HTTP_X_FORWARDED_FOR=forwarded)

    assert visit("203.0.113.1").status_code == 200
    assert visit("203.0.113.2").status_code == 200
    assert visit("1.1.1.1, 203.0.113.1").status_code == 429  # a spoofed prefix changes nothing
    assert Guest.objects.count() == 2


@pytest.mark.parametrize(
    "value,message",
    [
        ([], "GUEST_AUTH_IPWARE must be a dict, not []."),
        (
            {"proxy_cont": 1},
            "GUEST_AUTH_IPWARE has no option 'proxy_cont' (options: proxy_count, "
            "trusted_proxies, headers, proxy_networks).",
        ),
        (
            {"proxy_count": -1},
            "GUEST_AUTH_IPWARE['proxy_count'] must be a non-negative integer or None, not -1.",
        ),
        (
            {"trusted_proxies": "10.0.0.0/8"},
            "GUEST_AUTH_IPWARE['trusted_proxies'] must be a list of addresses or networks, "
            "not '10.0.0.0/8'.",
        ),
        (
            {"headers": "HTTP_X_REAL_IP"},
            "GUEST_AUTH_IPWARE['headers'] must be a list of request.META names such as "
            "'HTTP_X_FORWARDED_FOR', not 'HTTP_X_REAL_IP'.",
        ),
    ],
)
def test_bad_options_name_the_setting(value, message):
    with (
        override_settings(GUEST_AUTH_IPWARE=value),
        pytest.raises(ImproperlyConfigured) as excinfo,
    ):
        getattr(guest_settings, "IPWARE")  # noqa: B009
    assert str(excinfo.value) == message


def test_check_w007_when_any_client_could_choose_its_address():
    def ids():
        return [m.id for m in run_checks() if m.id == "guest_auth.W007"]

    with override_settings(GUEST_AUTH_CLIENT_IP=CALLABLE):
        assert ids() == ["guest_auth.W007"]
        with override_settings(GUEST_AUTH_IPWARE={"proxy_count": 0}):
            assert ids() == []
        with override_settings(GUEST_AUTH_IPWARE={"trusted_proxies": ["10.0.0.0/8"]}):
            assert ids() == []
    assert ids() == []


# A client that reaches the app server directly (not through a proxy) sends a
# forwarding header of its own choosing: before, with proxy_count or
# trusted_proxies, it chose the rate-limit bucket it was counted under.
DIRECT = "198.51.100.7"  # REMOTE_ADDR of a client on the internet


@pytest.mark.parametrize(
    "options,forwarded",
    [
        ({"proxy_count": 0}, "203.0.113.9"),
        ({"proxy_count": 1}, "203.0.113.9, 10.0.0.2"),
        ({"trusted_proxies": ["10.0.0.0/8"]}, "203.0.113.9, 10.0.0.2"),
        ({"headers": ["HTTP_CF_CONNECTING_IP"], "proxy_count": 0}, None),
    ],
)
def test_a_direct_client_cannot_choose_its_address(options, forwarded):
    headers = (
        {"HTTP_X_FORWARDED_FOR": forwarded}
        if forwarded
        else {"HTTP_CF_CONNECTING_IP": "203.0.113.9"}
    )
    with override_settings(GUEST_AUTH_IPWARE=options):
        assert client_ip(request(DIRECT, **headers)) == DIRECT


@override_settings(GUEST_AUTH_IPWARE={"proxy_count": 0})
@pytest.mark.parametrize(
    "proxy",
    ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "fd00::1", "::ffff:10.0.0.1"],
)
def test_the_header_is_believed_from_a_proxy_address(proxy):
    assert client_ip(request(proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"


@override_settings(
    GUEST_AUTH_IPWARE={"proxy_count": 0, "proxy_networks": ["198.51.100.0/24", "2001:db8::/32"]}
)
def test_proxy_networks_names_proxies_on_public_addresses():
    # A load balancer on a public address (Google Cloud's 35.191.0.0/16, say).
    assert client_ip(request(DIRECT, HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("2001:db8::5", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "192.0.2.1"


@override_settings(GUEST_AUTH_IPWARE={"trusted_proxies": ["198.51.100.0/24"]})
def test_a_trusted_proxy_may_talk_to_the_app_directly():
    # Proxies on public addresses, the last of them the app server's peer.
    forwarded = "6.6.6.6, 203.0.113.9, 198.51.100.8"
    assert client_ip(request(DIRECT, HTTP_X_FORWARDED_FOR=forwarded)) == "203.0.113.9"


@pytest.mark.parametrize(
    "value,message",
    [
        ("10.0.0.0/8", "GUEST_AUTH_IPWARE['proxy_networks'] must be a list of networks"),
        (["10.0.0.0/33"], "GUEST_AUTH_IPWARE['proxy_networks'] has '10.0.0.0/33', not a network"),
    ],
)
def test_proxy_networks_is_validated(value, message):
    with (
        override_settings(GUEST_AUTH_IPWARE={"proxy_count": 0, "proxy_networks": value}),
        pytest.raises(ImproperlyConfigured) as raised,
    ):
        guest_settings.IPWARE  # noqa: B018
    assert str(raised.value).startswith(message)


@pytest.mark.django_db
@override_settings(
    GUEST_AUTH_CLIENT_IP=CALLABLE,
    GUEST_AUTH_IPWARE={"proxy_count": 0},
    GUEST_AUTH_RATE_LIMIT="1/h",
    GUEST_AUTH_NETWORK_RATE_LIMIT=None,
)
def test_a_direct_client_spends_its_own_budget_whatever_it_forwards():
    def visit(forwarded):
        client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=DIRECT)
        return client.get("/guest-view/", HTTP_X_FORWARDED_FOR=forwarded)

    assert visit("203.0.113.1").status_code == 200
    assert visit("203.0.113.2").status_code == 429
    assert Guest.objects.count() == 1
