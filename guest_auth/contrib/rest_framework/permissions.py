"""Permissions that tell guests from regular users.

DRF's IsAuthenticated lets guests in: a guest is a logged-in user. Anonymous
clients are refused as not authenticated by both permissions (401 when the
view's first authentication class sends WWW-Authenticate, as
GuestTokenAuthentication does; DRF answers 403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from guest_auth._session import is_guest

__all__ = ["IsGuest", "IsRegularUser"]


class IsGuest(BasePermission):
    """Only guests; regular users get 403."""

    message = _("Only guests can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_guest(request.user)


class IsRegularUser(BasePermission):
    """Only logged-in users who are not guests; guests get 403."""

    message = _("Guests cannot do this: create an account first.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user is not None and user.is_authenticated and not is_guest(user))
