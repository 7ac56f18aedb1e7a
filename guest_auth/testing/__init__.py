"""Helpers for testing a site that uses guest_auth (not used by guest_auth itself).

- :func:`make_guest` and :func:`log_in_guest` make guests for tests without a
  request, as ``create_guest()`` would leave them;
- :func:`isolated_rate_limits` gives the code it wraps rate-limit counters of
  its own, so that a suite's guest creations (all from 127.0.0.1) never add up
  to a 429 from one test to the next;
- :class:`GuestTestMixin` does both for Django's ``TestCase``;
- ``guest_auth.testing.factories`` has factory-boy factories (the ``testing``
  extra installs factory-boy);
- the pytest plugin (``guest_auth.testing.pytest_plugin``, registered with
  pytest automatically, active when pytest-django is installed) provides the
  ``guest_user`` and ``guest_client`` fixtures and isolates the counters of
  every test.

Nothing here imports models at import time: the pytest plugin imports this
package before Django is set up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import uuid4

__all__ = ["GuestTestMixin", "isolated_rate_limits", "log_in_guest", "make_guest"]


def make_guest(
    *, last_seen_at: datetime | None = None, created_at: datetime | None = None, **fields: Any
) -> Any:
    """Save a new guest and return its user, made by the site's adapter as
    ``create_guest()`` makes it (no usable password, nothing invented).

    ``fields`` are set on the user before it is saved; ``last_seen_at`` and
    ``created_at`` (default now; ``created_at`` defaults to ``last_seen_at``)
    go on its Guest row. No request is involved: no rate limit is counted and
    no ``guest_created`` signal is sent.
    """
    from django.utils import timezone

    from ..adapter import get_adapter
    from ..models import Guest

    user = get_adapter().new_guest_user(None)  # type: ignore[arg-type]  # no request
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    seen = last_seen_at or timezone.now()
    Guest.objects.create(user=user, last_seen_at=seen, created_at=created_at or seen)
    return user


def log_in_guest(client: Any, user: Any = None) -> Any:
    """Log Django's test ``client`` in as the guest ``user`` (default: a new
    one from :func:`make_guest`) and return that user.

    The session is marked as guest_auth marks a guest's session when it
    creates the guest, so the next request knows the guest without a query
    and records no activity yet.
    """
    import time

    from .._session import SEEN_SESSION_KEY, login_backend

    if user is None:
        user = make_guest()
    # Django's login() sends user_logged_in, whose receiver marks the session.
    client.force_login(user, backend=login_backend())
    session = client.session
    session[SEEN_SESSION_KEY] = time.time()
    session.save()
    return user


@contextmanager
def isolated_rate_limits() -> Iterator[None]:
    """Count guest creations under a fresh namespace until the block ends.

    Usable as a decorator too. Nothing is cleared: the counters of other
    namespaces (other tests, other processes sharing the cache) are left to
    expire, and the previous namespace is restored on exit.
    """
    from .._ratelimit import use_namespace

    previous = use_namespace(f"test-{uuid4().hex}")
    try:
        yield
    finally:
        use_namespace(previous)


class GuestTestMixin:
    """For Django's ``TestCase`` (and ``SimpleTestCase``, ``TransactionTestCase``):
    every test counts rate limits on its own, and gets ``self.make_guest()``
    and ``self.log_in_guest()``.

    A ``setUp()`` of your own must call ``super().setUp()``.
    """

    client: Any

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        isolation = isolated_rate_limits()
        isolation.__enter__()
        self.addCleanup(isolation.__exit__, None, None, None)  # type: ignore[attr-defined]

    def make_guest(self, **fields: Any) -> Any:
        """See :func:`guest_auth.testing.make_guest`."""
        return make_guest(**fields)

    def log_in_guest(self, user: Any = None, client: Any = None) -> Any:
        """Log ``client`` (default ``self.client``) in as a guest; see :func:`log_in_guest`."""
        return log_in_guest(self.client if client is None else client, user)
