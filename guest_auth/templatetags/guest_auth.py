"""``{% load guest_auth %}`` then ``{% if user|is_guest %}``."""

from typing import Any

from django import template

from .._session import is_guest as _is_guest

__all__ = ["is_guest"]

register = template.Library()


@register.filter
def is_guest(user: Any) -> bool:
    """Whether the user is a guest (no query when GuestMiddleware is installed)."""
    return _is_guest(user)
