"""Finding the request's guest during an allauth flow, and handing over after promotion.

allauth treats a logged-in visitor as someone who is done signing in. For
guests that is wrong, so on allauth's entrance views the guest is hidden
(``request.user`` is anonymous, see ``_entrance``) and kept here for the
adapters, which sign the guest up or let it log in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.db import router

from guest_auth import _state as state
from guest_auth._session import is_guest, session_user_id, set_request_user, unwrap
from guest_auth._tokens import revoke_all

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__: list[str] = []


def current_guest(request: HttpRequest | None) -> Any:
    """The guest logged in on this request (hidden or not), or None."""
    if request is None:
        return None
    request_state = state.peek(request)
    hidden = request_state.hidden_guest if request_state is not None else None
    if hidden is not None:
        return hidden if is_guest(hidden) else None
    user = unwrap(getattr(request, "user", None))
    return user if is_guest(user) else None


def hide(request: HttpRequest, guest: Any) -> None:
    """Show the rest of this request an anonymous visitor; keep the guest for the adapters."""
    state.of(request).hidden_guest = guest
    set_request_user(request, AnonymousUser())


def hand_over(request: HttpRequest, user: Any) -> None:
    """After promotion: leave the session signed out, as allauth expects of a new account.

    allauth logs a new account in itself once its checks pass (email or phone
    verification, login stages); until then the account must not be logged
    in, or those checks would be skipped. The session keeps its data (an
    allauth login stashed in it, a session cart); only the login goes.

    The same holds for the guest's API tokens: while mandatory email
    verification is pending, the account is a regular user on no path, so
    its tokens (the one the request sent included: an app client signing up
    through allauth's headless API) and the JWTs bound to them are revoked.
    Once verified, the client logs in through allauth (an app gets allauth's
    session token). Without mandatory verification the request's token is
    kept, as promote_guest keeps it.
    """
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == session_user_id(user):
        for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY):
            session.pop(key, None)
    request_state = state.of(request)
    request_state.hidden_guest = None
    request_state.guest = None
    set_request_user(request, AnonymousUser())
    if _verification_pending(user):
        revoke_all(user)


def _verification_pending(user: Any) -> bool:
    """Whether allauth will make ``user`` verify an email address before it logs in."""
    from allauth.account import app_settings
    from allauth.account.models import EmailAddress

    if app_settings.EMAIL_VERIFICATION != app_settings.EmailVerificationMethod.MANDATORY:
        return False
    # allauth wrote the address moments ago, in this signup: ask the write database.
    addresses = EmailAddress.objects.db_manager(router.db_for_write(EmailAddress))
    return not addresses.filter(user=user, verified=True).exists()
