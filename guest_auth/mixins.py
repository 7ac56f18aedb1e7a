"""Class-based view mixins, the counterparts of guest_auth.decorators."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest

from ._access import aensure_guest, ensure_guest, refuse_non_regular
from ._session import ais_guest, is_guest

__all__ = ["AllowGuestMixin", "RegularUserRequiredMixin"]


class AllowGuestMixin:
    """Like @allow_guest: an anonymous visitor gets a guest before the handler runs.

    Put it first in the bases: as_view() copies the marks of ``dispatch``, here
    ``login_not_required`` (Django's LoginRequiredMiddleware lets anonymous
    visitors reach the view, to become guests).
    """

    view_is_async: bool
    guest_auth_opt_in = True  # _access.OPT_IN

    @login_not_required
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.view_is_async:
            return self._async_dispatch(request, *args, **kwargs)
        refusal = ensure_guest(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    async def _async_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refusal = await aensure_guest(request)
        if refusal is not None:
            return refusal
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class RegularUserRequiredMixin:
    """Like @regular_user_required: guests go to promotion, anonymous to login."""

    view_is_async: bool
    guest_auth_opt_in = True  # _access.OPT_IN

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.view_is_async:
            return self._async_dispatch(request, *args, **kwargs)
        user = request.user
        refusal = refuse_non_regular(request, user, is_guest(user))
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    async def _async_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = await request.auser()
        refusal = refuse_non_regular(request, user, await ais_guest(user))
        if refusal is not None:
            return refusal
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
