"""The seam between guest_auth's core and its optional integrations.

The core names no integration and imports nothing of ``guest_auth.contrib``.
Each contrib package that adds to a request, a report or the checks describes
what it adds as one :class:`Integration` and hands it to :func:`add` from its
``register()``; ``GuestAuthConfig.ready()`` (``guest_auth/apps.py``) is the
one place that names the packages, and calls ``register()`` only when the
package's framework is installed. The core then asks this module:

- :func:`view_hooks`: GuestMiddleware.process_view runs the first hook that
  ``concerns()`` a view before its own rules (allauth's entrance pages);
- :func:`view_kind` and :func:`class_gates`: what ``manage.py guest_access``
  reads of views it cannot read itself (allauth's pages, DRF's permissions);
- :func:`signup_provider`: the one answer to "does another app own signup?"
  (django-allauth, when ACCOUNT_ADAPTER includes guest_auth's mixin);
- :func:`check_messages`: the messages of the integrations' system checks,
  kept next to their checks, for the checks reference page.

Everything is read at call time: what a hook or provider answers may depend
on settings, and ``override_settings`` must keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.checks import register as register_check

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from django.http import HttpRequest, HttpResponseBase

__all__ = [
    "ClassGate",
    "Integration",
    "SignupProvider",
    "ViewHook",
    "add",
    "check_messages",
    "class_gates",
    "integrations",
    "signup_provider",
    "view_hooks",
    "view_kind",
]

#: (label, outcomes per identity, None) for a gate that can be read, or
#: (label, {}, reason) for one that cannot: see guest_auth._audit.Gate.
ClassGate = tuple[str, dict[str, str], str | None]


class ViewHook(Protocol):
    def concerns(self, view_func: Callable[..., Any]) -> bool:
        """Whether before_view() may act on this view; cheap, no I/O."""

    def before_view(
        self, request: HttpRequest, view_func: Callable[..., Any]
    ) -> HttpResponseBase | None:
        """A response that replaces the view's, or None to go on (sync)."""


class SignupProvider(Protocol):
    #: The URL name of its signup page.
    url_name: str

    def is_signup(self) -> bool:
        """Whether the site's guests sign up through it now (reads the settings)."""

    def has_verified_email(self, user: Any) -> bool:
        """Its verdict on ``user``'s email address (guest_auth's is_verified)."""


@dataclass(frozen=True)
class Integration:
    """What one contrib package adds to the core; every part optional."""

    #: The package, "guest_auth.contrib.<framework>"; adding it again replaces it.
    name: str
    view_hook: ViewHook | None = None
    #: view_func -> "entrance", "kept out" or None, as its view hook treats it.
    view_kind: Callable[[Any], str | None] | None = None
    #: view_class -> the gates of the framework's own rules on that class.
    class_gates: Callable[[type], Iterable[ClassGate]] | None = None
    signup: SignupProvider | None = None
    #: System check functions, registered with Django's check framework.
    checks: tuple[Callable[..., list[CheckMessage]], ...] = ()
    #: Tags of those checks.
    check_tags: tuple[str, ...] = ()
    #: id: (level, message, hint) of the messages its checks return.
    messages: Mapping[str, tuple[type, str, str]] = field(default_factory=dict)


_registered: dict[str, Integration] = {}


def add(integration: Integration) -> None:
    """Register ``integration`` (from its package's ``register()``); idempotent."""
    _registered[integration.name] = integration
    for check in integration.checks:
        # Django keeps a set: registering the same function again is harmless.
        register_check(check, *integration.check_tags)


def integrations() -> tuple[Integration, ...]:
    """The registered integrations, in the order they were first added."""
    return tuple(_registered.values())


def view_hooks() -> tuple[ViewHook, ...]:
    return tuple(i.view_hook for i in _registered.values() if i.view_hook is not None)


def view_kind(view_func: Any) -> str | None:
    for integration in _registered.values():
        if integration.view_kind is not None:
            kind = integration.view_kind(view_func)
            if kind is not None:
                return kind
    return None


def class_gates(view_class: type) -> Iterator[ClassGate]:
    for integration in _registered.values():
        if integration.class_gates is not None:
            yield from integration.class_gates(view_class)


def signup_provider(*, active: bool = True) -> SignupProvider | None:
    """The registered signup provider; with ``active``, only while it is the
    site's signup (``is_signup()``)."""
    for integration in _registered.values():
        provider = integration.signup
        if provider is not None and (not active or provider.is_signup()):
            return provider
    return None


def check_messages() -> dict[str, tuple[type, str, str]]:
    """id: (level, message, hint) of every registered integration's checks."""
    messages: dict[str, tuple[type, str, str]] = {}
    for integration in _registered.values():
        messages.update(integration.messages)
    return messages
