"""Rate-limit counting on Django's RedisCache: one round trip per creation, on a real
redis-server of the test's own (guest_auth._counters)."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from guest_auth import _counters, _ratelimit
from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.redis import needs_redis_server, redis_server

pytestmark = [pytest.mark.django_db, needs_redis_server]


@pytest.fixture
def counted_in_redis(request):
    options = request.param if hasattr(request, "param") else ()
    with redis_server(*options) as (_, port):
        settings = {
            "CACHES": {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "ratelimit": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{port}/0",
                    "KEY_PREFIX": "site",
                },
            },
            "GUEST_AUTH_RATE_LIMIT_CACHE": "ratelimit",
        }
        _ratelimit.cache_down_until.clear()
        _counters._refused.clear()
        with override_settings(**settings):
            yield caches["ratelimit"]
        _counters._refused.clear()


def create(address="2001:db8::1"):
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=address).get("/guest-view/")


def command_calls(cache):
    stats = cache._cache.get_client(write=True).info("commandstats")
    return {name.removeprefix("cmdstat_"): entry["calls"] for name, entry in stats.items()}


def keys_and_values(cache):
    client = cache._cache.get_client(write=True)
    return {key.decode(): int(client.get(key)) for key in client.keys("*")}


@override_settings(GUEST_AUTH_GLOBAL_RATE_LIMIT="1000/h")
def test_every_scope_is_counted_in_one_round_trip(counted_in_redis):
    create()  # the server loads the script here (EVAL)
    before = command_calls(counted_in_redis)
    assert create("2001:db8::2").status_code == 200
    after = command_calls(counted_in_redis)
    sent = {name: after[name] - before.get(name, 0) for name in after}
    sent.pop("info")
    # One EVALSHA from the client; the four INCRs and the new counter's EXPIRE ran inside it.
    assert {name: calls for name, calls in sent.items() if calls} == {
        "evalsha": 1,
        "incr": 4,  # the address, its /64, its /48 and the global budget
        "expire": 1,  # only the new address's counter is new
    }


def test_counters_are_the_integers_the_cache_reads_and_expire(counted_in_redis):
    assert create("192.0.2.1").status_code == 200
    assert create("192.0.2.2").status_code == 200
    values = keys_and_values(counted_in_redis)
    assert sorted(values.values()) == [1, 1, 2]  # two addresses, one /24
    client = counted_in_redis._cache.get_client(write=True)
    for key in values:
        assert 0 < client.ttl(key) <= 3601
        assert key.startswith("site:1:guest_auth:rate:")
        # What cache.get() reads, and what the generic path counts on from.
        unprefixed = key.removeprefix("site:1:")
        assert counted_in_redis.get(unprefixed) == values[key]


@override_settings(GUEST_AUTH_RATE_LIMIT="2/h")
def test_a_client_over_its_limit_spends_nothing_else(counted_in_redis):
    assert [create("192.0.2.1").status_code for _ in range(4)] == [200, 200, 429, 429]
    values = keys_and_values(counted_in_redis)
    address = next(v for k, v in values.items() if ":ip:" in k)
    network = next(v for k, v in values.items() if ":net:" in k)
    assert (address, network) == (4, 2)  # the refused creations stopped at the address
    assert Guest.objects.count() == 2


@override_settings(GUEST_AUTH_RATE_LIMIT="2/h")
@pytest.mark.parametrize(
    "counted_in_redis",
    [("--rename-command", "EVAL", "", "--rename-command", "EVALSHA", "")],
    indirect=True,
)
def test_a_server_without_scripts_is_counted_the_generic_way(counted_in_redis, caplog):
    assert [create("192.0.2.1").status_code for _ in range(3)] == [200, 200, 429]
    assert Guest.objects.count() == 2
    assert not [r for r in caplog.records if r.name == "guest_auth.ratelimit"]
    assert sorted(keys_and_values(counted_in_redis).values()) == [2, 3]  # /24, address
