"""DRF's permission classes as ``manage.py guest_access`` sees them.

Returns plain data, so that guest_auth._audit needs nothing of DRF.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rest_framework import permissions
from rest_framework.views import APIView

from .permissions import IsGuest, IsRegularUser

__all__ = ["permission_gates"]

_REFUSED = "refused"

# class: what each identity it stops gets (every identity not named passes).
_KNOWN: dict[type, dict[str, str]] = {
    permissions.AllowAny: {},
    permissions.IsAuthenticated: {"anonymous": _REFUSED},
    permissions.IsAuthenticatedOrReadOnly: {"anonymous": "read-only"},
    permissions.IsAdminUser: {"anonymous": _REFUSED, "guest": _REFUSED, "regular": "staff"},
    permissions.DjangoModelPermissionsOrAnonReadOnly: {
        "anonymous": "read-only",
        "guest": "perm",
        "regular": "perm",
    },
    permissions.DjangoModelPermissions: {
        "anonymous": _REFUSED,
        "guest": "perm",
        "regular": "perm",
    },
    IsGuest: {"anonymous": _REFUSED, "regular": _REFUSED},
    IsRegularUser: {"anonymous": _REFUSED, "guest": _REFUSED},
}


def permission_gates(view_class: type) -> Iterator[tuple[str, dict[str, str], str | None]]:
    """(label, outcomes, None) per permission class of a DRF view, or
    (label, {}, reason) for one that cannot be read."""
    if not issubclass(view_class, APIView):
        return
    for permission in view_class.permission_classes:
        yield _gate(view_class, permission)


def _gate(view_class: type, permission: Any) -> tuple[str, dict[str, str], str | None]:
    label = getattr(permission, "__name__", type(permission).__name__)
    if isinstance(permission, type):
        for known in permission.__mro__:
            if known in _KNOWN:
                # A subclass may change the rule: say so when it does.
                if known is not permission and "has_permission" in vars(permission):
                    break
                return label, _KNOWN[known], None
    return (
        label,
        {},
        f"{view_class.__qualname__}: guest_auth cannot read the permission {label}.",
    )
