"""Who can reach each URL: the analysis behind ``manage.py guest_access``.

For every URL pattern, the view's gates are read from what can be seen
without a request: GuestMiddleware's own rules (Django's password pages,
GUEST_AUTH_GUEST_ACCESS), LoginRequiredMiddleware, the decorators wrapped
around the view (allow_guest, regular_user_required, login_required,
permission_required, staff_member_required and the admin), the mixins of a
class-based view, and what the integrations registered with
guest_auth._integrations read (DRF's permission classes, allauth's entrance
pages).
Each of the three visitors (anonymous, guest, regular user) is walked through
the gates in the order they run. A gate guest_auth cannot read (a custom test
function, a custom permission class) makes the cells it decides "?", and is
reported with the pattern and the reason; the walk goes on.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import mixins as auth_mixins
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from ._access import opts_in
from ._integrations import class_gates, view_kind

__all__ = ["IDENTITIES", "Gate", "Problem", "Row", "audit"]

#: The visitors, in the order of the report's columns.
IDENTITIES = ("anonymous", "guest", "regular")

_LOGIN_REQUIRED_MW = "django.contrib.auth.middleware.LoginRequiredMiddleware"
_UNKNOWN = "?"


@dataclass(frozen=True)
class Gate:
    """One check on the way to the view: ``outcomes`` maps an identity it stops
    to what that visitor gets ("login", "promote", "refused"...); ``converts``
    gates (allow_guest) turn an anonymous visitor into a guest."""

    label: str
    outcomes: dict[str, str] = field(default_factory=dict)
    converts: bool = False


@dataclass(frozen=True)
class Row:
    url: str
    name: str
    #: What each of IDENTITIES gets: "yes", "yes, as guest", "yes, as anonymous",
    #: "login", "promote", "signup", "refused", "staff", "perm", "read-only" or "?".
    cells: tuple[str, str, str]
    via: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    url: str
    reason: str


class CannotRead(Exception):
    """A gate whose rule cannot be seen; the message says which and why."""


# Guests rarely hold permissions; the cell says the rule, not who holds them.
_PERMISSION = {"anonymous": "login", "guest": "perm", "regular": "perm"}


def audit(*, access: str, urlconf: str | None = None) -> Iterator[Row | Problem]:
    """Rows (and problems) for every URL pattern of ``urlconf``, in order, as if
    GUEST_AUTH_GUEST_ACCESS were ``access``."""
    for url, name, callback in _patterns(get_resolver(urlconf), "/", ""):
        if isinstance(callback, Problem):
            yield callback
            continue
        try:
            row, unreadable = _analyse(url, name, callback, access)
        except Exception as exc:  # a view guest_auth cannot take apart at all
            yield Problem(url, f"{type(exc).__name__}: {exc}")
            continue
        yield from unreadable
        yield row


def _patterns(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
    try:
        patterns = list(resolver.url_patterns)
    except Exception as exc:  # an include() that cannot be imported
        yield prefix, "", Problem(prefix, f"its URLconf cannot be loaded: {exc}")
        return
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            try:
                callback = pattern.callback
            except Exception as exc:
                yield route, name, Problem(route, f"its view cannot be loaded: {exc}")
                continue
            yield route, name, callback


def _analyse(url: str, name: str, view_func: Any, access: str) -> tuple[Row, list[Problem]]:
    problems: list[Problem] = []
    gates: list[Gate] = []
    guest_as = "guest"
    kind = view_kind(view_func)
    if kind == "entrance":
        guest_as = "anonymous"  # hidden on allauth's entrance pages
        gates.append(Gate("allauth entrance"))
    elif kind == "kept out":
        gates.append(Gate("allauth credentials", {"guest": "signup"}))
    elif _password_view(view_func):
        gates.append(Gate("password page", {"guest": "promote"}))
    elif access == "opt-in":
        if opts_in(view_func):
            gates.append(Gate("opts in"))
        else:
            guest_as = "anonymous"
    if _LOGIN_REQUIRED_MW in _middleware() and getattr(view_func, "login_required", True):
        gates.append(Gate("LoginRequiredMiddleware", {"anonymous": "login"}))
    for gate in _view_gates(view_func):
        if isinstance(gate, CannotRead):
            problems.append(Problem(url, str(gate)))
            gates.append(Gate("?", dict.fromkeys(IDENTITIES, _UNKNOWN)))
        else:
            gates.append(gate)
    cells = tuple(_walk(gates, identity, guest_as) for identity in IDENTITIES)
    via = tuple(gate.label for gate in gates if gate.label != "?")
    return Row(url, name, cells, via), problems  # type: ignore[arg-type]


def _walk(gates: list[Gate], identity: str, guest_as: str) -> str:
    role = identity
    if identity == "guest":
        role = guest_as
    became_guest = False
    for gate in gates:
        if gate.converts:
            if role == "anonymous" and identity == "anonymous":
                role, became_guest = "guest", True
            continue
        outcome = gate.outcomes.get(role)
        if outcome is not None:
            return outcome
    if became_guest:
        return "yes, as guest"
    if identity == "guest" and role == "anonymous":
        return "yes, as anonymous"
    return "yes"


def _view_gates(view_func: Any) -> Iterator[Gate | CannotRead]:
    """The gates of the decorators (outermost first), then of the view class."""
    codes = _reference_codes()
    function = view_func
    seen: set[int] = set()
    innermost = view_func
    while function is not None and id(function) not in seen:
        seen.add(id(function))
        innermost = function
        code = getattr(function, "__code__", None)
        kind = codes.get(code) if code is not None else None
        if "admin_site" in _vars_of(function) or "model_admin" in _vars_of(function):
            # AdminSite.get_urls() and ModelAdmin.get_urls() wrap their views in
            # a function that applies admin_view() per call and marks it so.
            kind = "admin"
        if kind == "allow_guest":
            yield Gate("allow_guest", converts=True)
        elif kind == "regular_user_required":
            yield Gate("regular_user_required", {"anonymous": "login", "guest": "promote"})
        elif kind == "admin":
            yield Gate("admin", {"anonymous": "login", "guest": "login", "regular": "staff"})
        elif kind == "user_passes_test":
            yield _test_gate(function, codes)
        function = getattr(function, "__wrapped__", None)
    view_class = getattr(innermost, "view_class", None) or getattr(view_func, "view_class", None)
    if isinstance(view_class, type):
        yield from _class_gates(view_class)


def _vars_of(function: Any) -> dict[str, Any]:
    return getattr(function, "__dict__", {})


def _test_gate(wrapper: Callable[..., Any], codes: dict[Any, str]) -> Gate | CannotRead:
    test = inspect.getclosurevars(wrapper).nonlocals.get("test_func")
    kind = codes.get(getattr(test, "__code__", None))
    if kind == "login_required":
        return Gate("login_required", {"anonymous": "login"})
    if kind == "staff_member_required":
        return Gate(
            "staff_member_required", {"anonymous": "login", "guest": "login", "regular": "staff"}
        )
    if kind == "permission_required":
        return Gate(
            "permission_required", {"anonymous": "login", "guest": "perm", "regular": "perm"}
        )
    name = getattr(test, "__qualname__", repr(test))
    return CannotRead(f"user_passes_test() with a test guest_auth cannot read ({name}).")


def _class_gates(view_class: type) -> Iterator[Gate | CannotRead]:
    from .mixins import AllowGuestMixin, RegularUserRequiredMixin
    from .views import PromoteView

    for cls in view_class.__mro__:
        if cls is AllowGuestMixin:
            yield Gate("AllowGuestMixin", converts=True)
        elif cls is RegularUserRequiredMixin:
            yield Gate("RegularUserRequiredMixin", {"anonymous": "login", "guest": "promote"})
        elif cls is PromoteView:
            yield Gate("promote page", {"anonymous": "login"})
        elif cls is auth_mixins.LoginRequiredMixin:
            yield Gate("LoginRequiredMixin", {"anonymous": "login"})
        elif cls is auth_mixins.PermissionRequiredMixin:
            yield Gate(
                "PermissionRequiredMixin",
                {"anonymous": "login", "guest": "perm", "regular": "perm"},
            )
        elif cls is auth_mixins.UserPassesTestMixin and not issubclass(
            view_class, (auth_mixins.LoginRequiredMixin, auth_mixins.PermissionRequiredMixin)
        ):
            yield CannotRead(
                f"{view_class.__qualname__} uses UserPassesTestMixin; guest_auth cannot read "
                "its test_func()."
            )
    for label, outcomes, reason in class_gates(view_class):
        yield CannotRead(reason) if reason else Gate(label, outcomes)


def _password_view(view_func: Any) -> bool:
    from django.contrib.auth import views as auth_views

    view_class = getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and issubclass(
        view_class,
        (
            auth_views.PasswordChangeView,
            auth_views.PasswordChangeDoneView,
            auth_views.PasswordResetView,
            auth_views.PasswordResetDoneView,
        ),
    )


def _middleware() -> list[str]:
    found: list[str] = []
    for path in settings.MIDDLEWARE:
        try:
            cls = import_string(path)
        except ImportError:
            continue
        found.extend(f"{c.__module__}.{c.__qualname__}" for c in getattr(cls, "__mro__", ()))
    return found


@cache
def _reference_codes() -> dict[Any, str]:
    """The code objects of the wrappers guest_auth recognises, and of the test
    functions of Django's decorators: the same for every view they wrap."""
    from django.contrib.admin.views.decorators import staff_member_required
    from django.contrib.auth.decorators import (
        login_required,
        permission_required,
        user_passes_test,
    )

    from .decorators import allow_guest, regular_user_required

    def view(request: Any) -> Any: ...

    async def async_view(request: Any) -> Any: ...

    codes: dict[Any, str] = {}
    for sample in (view, async_view):
        codes[allow_guest(sample).__code__] = "allow_guest"
        codes[regular_user_required(sample).__code__] = "regular_user_required"
        codes[user_passes_test(bool)(sample).__code__] = "user_passes_test"
    for decorator, kind in (
        (login_required, "login_required"),
        (staff_member_required, "staff_member_required"),
        (permission_required("app.perm"), "permission_required"),
    ):
        test = inspect.getclosurevars(decorator(view)).nonlocals["test_func"]
        codes[test.__code__] = kind
    if apps.is_installed("django.contrib.admin"):
        from django.contrib import admin

        codes[admin.site.admin_view(view).__code__] = "admin"
    return codes
