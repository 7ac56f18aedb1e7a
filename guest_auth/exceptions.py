"""Exceptions raised by guest_auth.services."""

__all__ = ["AlreadyAuthenticated", "GuestAuthError", "GuestCreationDenied", "NotAGuest"]


class GuestAuthError(Exception):
    """Base class of guest_auth's exceptions."""


class GuestCreationDenied(GuestAuthError):
    """No guest may be created for this request (bot, disabled, adapter refused)."""


class AlreadyAuthenticated(GuestAuthError):
    """A guest was asked for on a request whose user is already logged in."""


class NotAGuest(GuestAuthError):
    """The user is not (or no longer) a guest, so it cannot be promoted."""
