"""Rate-limit counters in the cache: one round trip on Redis.

``count()`` adds one to each counter in order and stops at the first that
goes over its limit, so a client over its own limit does not also use up
its network's or the global budget.

On Django's ``RedisCache`` the counters are counted by one Lua script: one
round trip for every scope, however many there are (add() then incr() per
scope cost a new visitor's creation four round trips on a shared /24, the
largest part of what guest creation added under load). The values are the
integers Django's ``RedisCache`` stores for ``add(key, 1)``, so
``cache.get()`` reads them and the generic path counts on from them. A
server that refuses scripts (a managed Redis with EVAL disabled) is counted
the generic way from then on in this process.

Elsewhere (Memcached, LocMemCache, other Redis backends), per counter:
add() creates it at 1 unless it exists, else incr(), atomic in each.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, cast

__all__ = ["Counter", "count"]


@dataclass(frozen=True, slots=True)
class Counter:
    key: str  # the cache key, before the cache's own prefix and version
    timeout: int  # seconds the counter lives from its first count
    limit: int  # the count above which count() stops


# KEYS: the counters, in order; ARGV: each counter's timeout, then its limit.
# Returns the 1-based position of the first counter over its limit, or 0.
_SCRIPT = """
for i = 1, #KEYS do
  local count = redis.call("INCR", KEYS[i])
  if count == 1 then redis.call("EXPIRE", KEYS[i], ARGV[2 * i - 1]) end
  if count > tonumber(ARGV[2 * i]) then return i end
end
return 0
"""
_SCRIPT_SHA = hashlib.sha1(_SCRIPT.encode(), usedforsecurity=False).hexdigest()

# The Redis servers (their URLs) that refused the script.
_refused: set[str] = set()


def count(cache: Any, counters: list[Counter]) -> Counter | None:
    """Count one for each of ``counters`` in order; the first over its limit, or None.

    Counters after the first one over its limit are not counted. Cache
    errors are raised.
    """
    server = _script_server(cache)
    if server is not None and server not in _refused:
        try:
            return _count_by_script(cache, counters)
        except _ScriptRefused:
            _refused.add(server)
    for counter in counters:
        if _count_one(cache, counter) > counter.limit:
            return counter
    return None


def _script_server(cache: Any) -> str | None:
    """The server Django's RedisCache writes to, or None for other caches."""
    from django.core.cache.backends.redis import RedisCache

    if type(cache) is not RedisCache:
        return None
    # Django's RedisCacheClient sends every write to its first server
    # (pinned by tests/cross/test_django_internals.py).
    return str(cast(Any, cache)._servers[0])


class _ScriptRefused(Exception):
    pass


def _count_by_script(cache: Any, counters: list[Counter]) -> Counter | None:
    from redis.exceptions import NoScriptError, ResponseError

    client = cache._cache.get_client(write=True)
    keys = [cache.make_and_validate_key(counter.key) for counter in counters]
    limits = [str(value) for counter in counters for value in (counter.timeout, counter.limit)]
    try:
        try:
            over = client.evalsha(_SCRIPT_SHA, len(keys), *keys, *limits)
        except NoScriptError:  # the server's first time, or after SCRIPT FLUSH
            over = client.eval(_SCRIPT, len(keys), *keys, *limits)
    except ResponseError as error:
        # Scripts disabled or not permitted (a connection error is no
        # ResponseError: it is the caller's to handle).
        raise _ScriptRefused from error
    return counters[int(over) - 1] if over else None


def _count_one(cache: Any, counter: Counter) -> int:
    if cache.add(counter.key, 1, timeout=counter.timeout):
        return 1
    try:
        return int(cache.incr(counter.key))
    except ValueError:  # expired between add() and incr()
        cache.add(counter.key, 1, timeout=counter.timeout)
        return 1
