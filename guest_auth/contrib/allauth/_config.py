"""Reading allauth's configuration as guest_auth needs it."""

from __future__ import annotations

from django.utils.module_loading import import_string

__all__ = ["includes"]


def includes(path: str, mixin: type) -> bool:
    """Whether the adapter class at dotted ``path`` includes ``mixin``."""
    try:
        adapter = import_string(path)
    except ImportError:
        # allauth fails loudly on an adapter it cannot import; say only what is ours.
        return False
    return isinstance(adapter, type) and issubclass(adapter, mixin)
