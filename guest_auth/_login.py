"""Logins and logouts: keeping the session marker right, and merging on login.

django.contrib.auth.login() flushes the session when another user logs in,
before it sends user_logged_in, and replaces request.user: by the time the
receiver runs, nothing says a guest was logged in. So GuestMiddleware hands
the session's flush to ``note_flush`` (through ``watch_session``), which reads
the guest marker from the data login() has just loaded (no query, nothing
added to requests that do not log in) and leaves it on the request for the
receiver. A session class, a second middleware or a login wrapper would each
miss some path (the admin, allauth, custom views calling login()); every path
flushes the request's own session object. Only that session can name the
guest, so only the session that owns the guest can cause a merge.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.db import router, transaction

from ._merge import may_merge
from ._session import (
    GUEST_SESSION_KEY,
    REQUEST_GUEST,
    SEEN_SESSION_KEY,
    is_guest,
    session_user_id,
)
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import NotAGuest
from .models import Guest
from .signals import guest_merged

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["LOGGING_OUT", "on_login", "on_logout", "watch_session"]

logger = logging.getLogger("guest_auth")

# Set on the request when login() flushes a guest's session: (guest id, the
# GUEST_AUTH_MERGE_SESSION_KEYS values), for the user_logged_in receiver.
_PENDING_MERGE = "_guest_auth_pending_merge"
# Set by user_logged_out: the flush that follows is a logout, not a login.
LOGGING_OUT = "_guest_auth_logging_out"


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in: record in the session whether the user is a guest.

    Every login path (create_guest, a device credential, the test client's
    force_login) keeps the session marker right this way. When the login
    replaced a guest's session, the guest is first merged into the user.
    """
    if request is None or not hasattr(request, "session"):
        return
    pending = request.__dict__.pop(_PENDING_MERGE, None)
    if pending is not None and guest_settings.MERGE_ON_LOGIN:
        _merge_on_login(request, user, *pending)
    if is_guest(user):
        request.session[GUEST_SESSION_KEY] = session_user_id(user)
        setattr(request, REQUEST_GUEST, user)
    else:
        request.session.pop(GUEST_SESSION_KEY, None)
        request.session.pop(SEEN_SESSION_KEY, None)
        # The guest this request started as is not who it is now: no activity to record.
        request.__dict__.pop(REQUEST_GUEST, None)


def on_logout(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """user_logged_out, which Django sends just before the flush."""
    if request is not None:
        setattr(request, LOGGING_OUT, True)


def watch_session(request: HttpRequest) -> None:
    """Have the request's session report a guest's session being flushed (sync and async).

    Idempotent: code that replaces ``request.session`` mid-request (allauth's
    social login does) calls it again for the new session object.
    """
    session = getattr(request, "session", None)
    if session is None or getattr(session, "_guest_auth_watched", False):
        return
    session._guest_auth_watched = True
    flush = session.flush
    aflush = session.aflush

    def watched_flush() -> None:
        _note_flush(request, session)
        flush()

    async def watched_aflush() -> None:
        _note_flush(request, session)
        await aflush()

    session.flush = watched_flush
    session.aflush = watched_aflush


def _note_flush(request: HttpRequest, session: Any) -> None:
    if request.__dict__.pop(LOGGING_OUT, False):
        return  # a guest logging out ends its session: nothing to merge
    # Only data already loaded: login() read it to compare users; loading it
    # here would add a query to flushes of sessions nobody read.
    data = getattr(session, "_session_cache", None) or {}
    guest_id = data.get(GUEST_SESSION_KEY)
    if guest_id is None or guest_id != data.get(SESSION_KEY):
        return
    carried = {key: data[key] for key in guest_settings.MERGE_SESSION_KEYS if key in data}
    setattr(request, _PENDING_MERGE, (guest_id, carried))


def _merge_on_login(
    request: HttpRequest, user: Any, guest_id: str, carried: dict[str, Any]
) -> None:
    """Carry the marked session keys over, then merge the guest through the adapter.

    The adapter's merge and the guest_merged receivers share one transaction;
    if anything fails it is rolled back, logged, and the login goes on.
    """
    request.session.update(carried)
    user_model = get_user_model()
    try:
        using = router.db_for_write(user_model)
        with transaction.atomic(using=using):
            # Read (and then locked) where the merge writes: never on a replica.
            guest = (
                user_model._default_manager.db_manager(using)
                .filter(pk=user_model._meta.pk.to_python(guest_id))
                .first()
            )
            if guest is None or not may_merge(guest, user):
                return
            get_adapter().merge(request, guest, user)
            guest_merged.send(sender=Guest, request=request, guest=guest, user=user)
    except (NotAGuest, ValidationError):
        # Promoted, purged or merged by a concurrent request meanwhile, or a
        # marker that is no primary key of this user model: nothing to merge.
        pass
    except Exception:
        # The login must not fail because of the merge; the guest keeps its data.
        logger.exception(
            "Could not merge guest %s into user %s; the guest keeps its data.", guest_id, user.pk
        )
