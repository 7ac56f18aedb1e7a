"""Logins and logouts: keeping the session marker right, and merging on login.

django.contrib.auth.login() flushes the session when another user logs in,
before it sends user_logged_in, and replaces request.user: by the time the
receiver runs, nothing says a guest was logged in. So GuestMiddleware hands
the session's flush to ``note_flush`` (through ``watch_session``), which reads
the guest marker from the data login() has just loaded (no query, nothing
added to requests that do not log in) and leaves it in the request's state
(guest_auth._state) for the receiver. A session class, a second middleware
or a login wrapper would each miss some path (the admin, allauth, custom
views calling login()); every path flushes the request's own session
object. Only that session can name the guest, so only the session that owns
the guest can cause a merge.

Whether the login merges is the adapter's decision (``login_merge_action``):
by default only logins that checked a credential the visitor typed into this
session merge at once (a password through ``authenticate()``, a social
login); a login by emailed link or code, a password-reset login or a
``force_login`` keeps the guest apart, remembered in the account's session
(logging out brings the browser back to it), or offers the merge on the
``guest_auth:merge`` page. The guest's old session is deleted only after the
merge committed: a login killed midway leaves the browser the guest it was.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.db import router, transaction

from . import _state as state
from ._gate import SESSION, admit
from ._merge import may_merge, merging_for
from ._proofs import proof_checked
from ._session import (
    GUEST_SESSION_KEY,
    SEEN_SESSION_KEY,
    is_guest,
    log_in,
    session_user_id,
)
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import NotAGuest
from .models import Guest
from .signals import guest_merged

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "KEPT_GUEST_SESSION_KEY",
    "PENDING_MERGE_SESSION_KEY",
    "finish_request",
    "has_leftovers",
    "login_checked_credential",
    "merge_at_login",
    "on_login",
    "on_logout",
    "pending_merge",
    "replacing",
    "watch_session",
    "watch_unwatched",
]

logger = logging.getLogger("guest_auth")

# The request-scoped half (a login replacing a guest, a logout under way, the
# old session to delete, the guest to restore) is guest_auth._state's
# RequestState. What outlives the request is in the session:
#
# In the account's session: {"guest": id, "user": id}. The guest this browser
# was before a login that did not merge it; logging out of that account logs
# the browser back into it.
KEPT_GUEST_SESSION_KEY = "_guest_auth_kept_guest"
# In the account's session: {"guest": id, "user": id}, a merge offered for
# confirmation (guest_auth:merge, api/guest/merge/).
PENDING_MERGE_SESSION_KEY = "_guest_auth_pending_merge"

_ACTIONS = ("merge", "confirm", "keep")


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in: record in the session whether the user is a guest.

    Every login path (create_guest, a device credential, the test client's
    force_login) keeps the session marker right this way. When the login
    replaced a guest's session, the guest is first merged into the user.
    """
    if request is None or not hasattr(request, "session"):
        return
    request_state = state.of(request)
    pending, request_state.replaced_guest = request_state.replaced_guest, None
    if pending is not None:
        try:
            if guest_settings.MERGE_ON_LOGIN:
                _after_guest_login(request, user, *pending)
        finally:
            _delete_old_session(request)
    if is_guest(user):
        request.session[GUEST_SESSION_KEY] = session_user_id(user)
        request_state.guest = user
        # A new guest's session, which GuestMiddleware did not watch: a
        # login later in this request must still find the guest.
        watch_session(request)
    else:
        request.session.pop(GUEST_SESSION_KEY, None)
        request.session.pop(SEEN_SESSION_KEY, None)
        # The guest this request started as is not who it is now: no activity to record.
        request_state.guest = None


def on_logout(sender: Any, request: HttpRequest | None, user: Any = None, **kwargs: Any) -> None:
    """user_logged_out, which Django sends just before the flush.

    When the account logging out kept this browser's guest apart at login,
    finish_request() logs the guest back in once the logout is done.
    """
    if request is None:
        return
    request_state = state.of(request)
    request_state.logging_out = True
    session = getattr(request, "session", None)
    kept = session.get(KEPT_GUEST_SESSION_KEY) if session is not None else None
    if isinstance(kept, dict) and user is not None and kept.get("user") == session_user_id(user):
        request_state.guest_to_restore = kept.get("guest")


def finish_request(request: HttpRequest) -> None:
    """GuestMiddleware, after the view: what a login or logout left to do.

    Deletes a replaced guest session that no login claimed (a view that
    flushed the session by hand), and logs a kept guest back in after its
    account logged out.
    """
    _delete_old_session(request)
    request_state = state.of(request)
    guest_id, request_state.guest_to_restore = request_state.guest_to_restore, None
    user = getattr(request, "user", None)
    if guest_id is None or (user is not None and user.is_authenticated):
        return
    guest = _load_user(guest_id)
    # Logging the kept guest back in is a way into the session: through the gate.
    if guest is not None and is_guest(guest) and admit(guest, path=SESSION) is not None:
        log_in(request, guest)


def has_leftovers(request: HttpRequest) -> bool:
    """Whether finish_request() has anything to do (no I/O: async callers ask first)."""
    request_state = state.peek(request)
    return request_state is not None and (
        request_state.old_session_key is not None or request_state.guest_to_restore is not None
    )


def _delete_old_session(request: HttpRequest) -> None:
    request_state = state.peek(request)
    if request_state is None:
        return
    old_key, request_state.old_session_key = request_state.old_session_key, None
    if old_key is not None:
        request.session.delete(old_key)


def watch_session(request: HttpRequest) -> None:
    """Have the request's session report a guest's session being flushed (sync and async).

    Idempotent: code that replaces ``request.session`` mid-request (allauth's
    social login does) calls it again for the new session object.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    watched = session.__dict__.get("flush")
    if type(watched) is partial and watched.func is _watched_flush and watched.args[0] is request:
        return
    watch_unwatched(request, session)


def watch_unwatched(request: HttpRequest, session: Any) -> None:
    """watch_session() for a session nobody watches yet: GuestMiddleware's, on
    every request that sent a session cookie."""
    # Every such request pays for this, and most never flush: two partials
    # on the session object, nothing allocated on the request. The session
    # class's own flush is called when it is no guest's (not a bound method
    # kept here: making one costs every request).
    session.flush = partial(_watched_flush, request, session)
    session.aflush = partial(_watched_aflush, request, session)


def _watched_flush(request: HttpRequest, session: Any) -> None:
    if _note_flush(request, session):
        _flush_keeping_the_stored_session(request, session)
    else:
        type(session).flush(session)


async def _watched_aflush(request: HttpRequest, session: Any) -> None:
    if _note_flush(request, session):
        _flush_keeping_the_stored_session(request, session)
    else:
        await type(session).aflush(session)


def replacing(request: HttpRequest, guest: Any) -> None:
    """A login on this request replaces ``guest``, though no session of the guest's is flushed.

    For clients that are a guest through a token rather than a session (an
    app logging in through allauth's headless API with its guest_auth token):
    the login that follows is then treated as one that replaced the guest's
    session, with nothing to carry over from a session.
    """
    state.of(request).replaced_guest = (session_user_id(guest), {})


def _note_flush(request: HttpRequest, session: Any) -> bool:
    """Whether this flush replaces a guest's session by a login (then noted for on_login)."""
    request_state = state.of(request)
    if request_state.logging_out:
        request_state.logging_out = False
        return False  # a guest logging out ends its session: nothing to merge
    # Only data already loaded: login() read it to compare users; loading it
    # here would add a query to flushes of sessions nobody read.
    data = getattr(session, "_session_cache", None) or {}
    guest_id = data.get(GUEST_SESSION_KEY)
    if guest_id is None or guest_id != data.get(SESSION_KEY):
        return False
    carried = {key: data[key] for key in guest_settings.MERGE_SESSION_KEYS if key in data}
    request_state.replaced_guest = (guest_id, carried)
    return True


def _flush_keeping_the_stored_session(request: HttpRequest, session: Any) -> None:
    """SessionBase.flush() without deleting the stored session yet.

    The guest's stored session outlives the flush until the login is done
    with it (on_login, or finish_request for a flush no login followed): if
    the process dies in between (kill -9 mid-merge), the browser's cookie
    still names the guest's session and nothing is lost.
    """
    state.of(request).old_session_key = session.session_key
    session.clear()
    session._session_key = None


def _after_guest_login(
    request: HttpRequest, user: Any, guest_id: str, carried: dict[str, Any]
) -> None:
    """Carry the marked session keys over, then merge, offer or keep the guest."""
    request.session.update(carried)
    try:
        guest = _load_user(guest_id)
    except ValidationError:
        return  # a marker that is no primary key of this user model
    if guest is None or not may_merge(guest, user):
        return
    adapter = get_adapter()
    action = adapter.login_merge_action(request, guest, user)
    if action not in _ACTIONS:
        logger.error(
            "login_merge_action() returned %r, not one of %s; the guest is kept.", action, _ACTIONS
        )
        action = "keep"
    if action == "merge":
        merge_at_login(request, guest, user)
        return
    remembered = {"guest": guest_id, "user": session_user_id(user)}
    request.session[KEPT_GUEST_SESSION_KEY] = remembered
    if action == "confirm":
        request.session[PENDING_MERGE_SESSION_KEY] = remembered


def merge_at_login(request: HttpRequest, guest: Any, user: Any) -> bool:
    """The login-time merge: ``guest`` into ``user`` through the adapter's
    ``merge()``; whether it happened (see guest_auth._merge for the family).

    For a login that replaced the guest's session, and for a merge the visitor
    confirmed later (the guest_auth:merge page, api/guest/merge/). The
    adapter's merge and the guest_merged receivers share one transaction; if
    anything fails it is rolled back, logged, and the guest keeps its data.
    guest_merged is sent once: by merge_guest() when the adapter calls it,
    else here.
    """
    user_model = get_user_model()
    try:
        using = router.db_for_write(user_model)
        with transaction.atomic(using=using):
            with merging_for(request) as announced:
                get_adapter().merge(request, guest, user)
            if not announced():
                guest_merged.send(sender=Guest, request=request, guest=guest, user=user)
    except NotAGuest:
        # Promoted, purged or merged by a concurrent request meanwhile.
        return False
    except Exception:
        # The login must not fail because of the merge; the guest keeps its data.
        logger.exception(
            "Could not merge guest %s into user %s; the guest keeps its data.", guest.pk, user.pk
        )
        return False
    return True


def pending_merge(request: HttpRequest) -> Any:
    """The guest whose merge into the logged-in user this session offers, or None."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return None
    pending = session.get(PENDING_MERGE_SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("user") != session_user_id(user):
        return None
    try:
        guest = _load_user(pending.get("guest"))
    except ValidationError:
        guest = None
    if guest is None or not is_guest(guest) or not may_merge(guest, user):
        session.pop(PENDING_MERGE_SESSION_KEY, None)
        return None
    return guest


def login_checked_credential(request: HttpRequest, user: Any) -> bool:
    """Whether this login checked a credential the visitor typed into this session.

    See guest_auth._proofs; the site's adapter names the views and
    backends that check none.
    """
    adapter = get_adapter()
    return proof_checked(
        request, user, adapter.credential_less_views, adapter.credential_less_backends
    )


def _load_user(user_id: Any) -> Any:
    """The user with this session-stored id from the write database, or None."""
    if user_id is None:
        return None
    user_model = get_user_model()
    return (
        user_model._default_manager.using(router.db_for_write(user_model))
        .filter(pk=user_model._meta.pk.to_python(user_id))
        .first()
    )
