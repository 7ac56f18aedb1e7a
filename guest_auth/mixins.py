"""Class-based view mixins, the counterparts of guest_auth.decorators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import services
from .decorators import _refuse_non_regular

__all__ = ["AllowGuestMixin", "RegularUserRequiredMixin"]


class AllowGuestMixin:
    """Like @allow_guest: an anonymous visitor gets a guest before the handler runs."""

    view_is_async: bool

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.view_is_async:
            return self._async_dispatch(request, *args, **kwargs)
        refusal = services._ensure_guest(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    async def _async_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refusal = await services._aensure_guest(request)
        if refusal is not None:
            return refusal
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class RegularUserRequiredMixin:
    """Like @regular_user_required: guests go to promotion, anonymous to login."""

    view_is_async: bool

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.view_is_async:
            return self._async_dispatch(request, *args, **kwargs)
        user = request.user
        refusal = _refuse_non_regular(request, user, services.is_guest(user))
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    async def _async_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = await request.auser()
        refusal = _refuse_non_regular(request, user, await services._ais_guest(user))
        if refusal is not None:
            return refusal
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
