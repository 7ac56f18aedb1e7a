"""guest_auth's pytest plugin, registered through the ``pytest11`` entry point.

Inert unless pytest-django is installed. Then it provides:

- ``guest_user``: a new guest (its user), from :func:`guest_auth.testing.make_guest`;
- ``guest_client``: pytest-django's ``client``, logged in as ``guest_user``;
- for every test (autouse), rate-limit counters of its own, when Django is
  configured and guest_auth is installed: a suite never sees another test's
  guest creations, though every test client comes from 127.0.0.1.

Disable it with ``-p no:guest_auth``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

__all__: list[str] = []

if importlib.util.find_spec("pytest_django") is not None:
    __all__ += ["guest_client", "guest_user"]

    @pytest.fixture(autouse=True)
    def _guest_auth_isolated_rate_limits() -> Iterator[None]:
        if not _guest_auth_installed():
            yield
            return
        from . import isolated_rate_limits

        with isolated_rate_limits():
            yield

    @pytest.fixture
    def guest_user(db: None) -> Any:
        """A new guest: its user, with a Guest row seen now."""
        from . import make_guest

        return make_guest()

    @pytest.fixture
    def guest_client(client: Any, guest_user: Any) -> Any:
        """Django's test client, logged in as ``guest_user``."""
        from . import log_in_guest

        log_in_guest(client, guest_user)
        return client


def _guest_auth_installed() -> bool:
    from django.apps import apps
    from django.conf import settings

    return settings.configured and apps.ready and apps.is_installed("guest_auth")
