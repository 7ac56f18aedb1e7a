"""Exceptions raised by guest_auth.services."""

__all__ = [
    "AlreadyAuthenticated",
    "GuestAuthError",
    "GuestCreationDenied",
    "GuestProtected",
    "NotAGuest",
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
        super().__init__(f"Too many new guests; retry in {retry_after} seconds.")
        #: Seconds until the exhausted window ends (the Retry-After value).
        self.retry_after = retry_after


class RateLimitUnavailable(GuestCreationDenied):
    """The rate-limit cache failed and GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR is "refuse"."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Guests cannot be created right now; retry in {retry_after} seconds.")
        #: Seconds until the cache is tried again (the Retry-After value).
        self.retry_after = retry_after


class AlreadyAuthenticated(GuestAuthError):
    """A guest was asked for on a request whose user is already logged in."""


class NotAGuest(GuestAuthError):
    """The user is not (or no longer) a guest, so it cannot be promoted."""


class GuestProtected(GuestAuthError):
    """The guest cannot be deleted: rows it owns PROTECT or RESTRICT its deletion.

    Nothing was deleted.
    """

    def __init__(self, protected_by: tuple[str, ...]) -> None:
        names = ", ".join(protected_by) or "a protected row"
        super().__init__(f"This guest cannot be deleted: it owns rows of {names} that must stay.")
        #: Labels ("app.Model") of the models whose rows keep the guest.
        self.protected_by = protected_by
