"""Exceptions raised by guest_auth.services."""

import math

from django.db import IntegrityError
from django.utils.translation import ngettext

__all__ = [
    "AlreadyAuthenticated",
    "GuestAuthError",
    "GuestCreationDenied",
    "GuestProtected",
    "NameTaken",
    "NotAGuest",
    "PurgeArgumentError",
    "RateLimitUnavailable",
    "RateLimited",
]


class GuestAuthError(Exception):
    """Base class of guest_auth's exceptions."""


class GuestCreationDenied(GuestAuthError):
    """No guest may be created for this request (bot, disabled, adapter refused)."""


class RateLimited(GuestCreationDenied):
    """Too many guests were created recently for this client, network or site."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        #: Seconds until the exhausted window ends (the Retry-After value).
        self.retry_after = retry_after

    def __str__(self) -> str:
        # In the language active when it is shown (the request's, with
        # LocaleMiddleware), not when it was raised.
        # Past a minute, in whole minutes rounded up: the words of the HTML
        # page (guest_auth/rate_limited.html), not "3351 seconds".
        if self.retry_after < 60:
            return ngettext(
                "Too many new guests; retry in %(seconds)d second.",
                "Too many new guests; retry in %(seconds)d seconds.",
                self.retry_after,
            ) % {"seconds": self.retry_after}
        minutes = math.ceil(self.retry_after / 60)
        return ngettext(
            "Too many new guests; retry in %(minutes)d minute.",
            "Too many new guests; retry in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


class RateLimitUnavailable(GuestCreationDenied):
    """The rate-limit cache failed and GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR is "refuse"."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        #: Seconds until the cache is tried again (the Retry-After value).
        self.retry_after = retry_after

    def __str__(self) -> str:
        # Translated when shown, as RateLimited's.
        return ngettext(
            "Guests cannot be created right now; retry in %(seconds)d second.",
            "Guests cannot be created right now; retry in %(seconds)d seconds.",
            self.retry_after,
        ) % {"seconds": self.retry_after}


class AlreadyAuthenticated(GuestAuthError):
    """A guest was asked for on a request whose user is already logged in."""


class NotAGuest(GuestAuthError):
    """The user is not (or no longer) a guest, so it cannot be promoted."""


class PurgeArgumentError(GuestAuthError, ValueError):
    """A purge was asked for with a bad option (the command or a task); the
    message is the command's one-line error."""


class GuestProtected(GuestAuthError):
    """The guest cannot be deleted: rows it owns PROTECT or RESTRICT its deletion.

    Nothing was deleted.
    """

    def __init__(self, protected_by: tuple[str, ...]) -> None:
        names = ", ".join(protected_by) or "a protected row"
        super().__init__(f"This guest cannot be deleted: it owns rows of {names} that must stay.")
        #: Labels ("app.Model") of the models whose rows keep the guest.
        self.protected_by = protected_by


class NameTaken(IntegrityError):
    """A promotion lost to another account with the same name (ignoring case).

    Raised by ``promote_guest()`` inside its transaction, which rolls back. An
    IntegrityError, as the database's own unique constraint would raise (the promote
    page and the API answer it as a form error and a 400); also importable from
    ``guest_auth._names``, where it was defined before.
    """
