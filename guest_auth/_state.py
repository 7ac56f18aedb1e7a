"""What guest_auth knows about one request, in one object: ``RequestState``.

A request's login, logout and merge bookkeeping, the guest it resolved to
and the token it authenticated with live here, on the request (one
attribute, ``_guest_auth``), for the request's lifetime only. What must
outlive the request lives in the session, under the *_SESSION_KEY names of
guest_auth._session and guest_auth._login.

DRF wraps the HttpRequest: ``of()`` always finds the state of the
HttpRequest underneath, so both see one object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import APIToken

__all__ = ["RequestState", "of", "peek"]

# The one attribute guest_auth sets on a request.
_ATTRIBUTE = "_guest_auth"


@dataclass(slots=True)
class RequestState:
    """guest_auth's state of one request. Every field is None (or False) until set."""

    #: The guest this request resolved to (session, token, device
    #: credential), whose activity GuestMiddleware records.
    guest: Any = None
    #: The guest_auth API token row the request authenticated with (an
    #: opaque token, or the row a JWT is bound to): promotion keeps it.
    api_token: APIToken | None = None
    #: A login is replacing a guest: (the guest's session user id, the
    #: GUEST_AUTH_MERGE_SESSION_KEYS values to carry over), for on_login.
    replaced_guest: tuple[str, dict[str, Any]] | None = None
    #: user_logged_out was sent: the session flush that follows is a logout.
    logging_out: bool = False
    #: The key of the guest's session a login flushed, deleted once the login is done.
    old_session_key: str | None = None
    #: The guest an account kept apart at login, to log back in after its logout.
    guest_to_restore: Any = None
    #: Whether this login checked a credential typed into this session, as an
    #: integration knows it (guest_auth.contrib.allauth); None: not known.
    credential_checked: bool | None = None
    #: The guest an entrance view (allauth's) hid behind an anonymous request.user.
    hidden_guest: Any = None
    #: allauth's signup: the guest handed to the form and its field values then.
    signup_snapshot: tuple[Any, dict[str, Any]] | None = None


def of(request: Any) -> RequestState:
    """The request's state, made on first use."""
    request = _http_request(request)
    state: RequestState | None = request.__dict__.get(_ATTRIBUTE)
    if state is None:
        state = request.__dict__[_ATTRIBUTE] = RequestState()
    return state


def peek(request: HttpRequest | Any) -> RequestState | None:
    """The request's state if anything was set on it, without making one (no allocation)."""
    return _http_request(request).__dict__.get(_ATTRIBUTE)


def _http_request(request: Any) -> Any:
    # DRF's Request keeps its HttpRequest as _request. Read from __dict__:
    # getattr() with a default costs an exception on every HttpRequest.
    return request.__dict__.get("_request", request)
