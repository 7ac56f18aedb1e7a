"""The gate: every way a request or a token becomes a user passes through ``admit``.

Each way in (PATHS) finds its user its own way (a session, an opaque token,
a device credential, a JWT, allauth's headless API) and then hands that user
to ``admit``, which applies every guest rule in one place:

- inactive users are refused (as ModelBackend refuses them);
- whether the user is a guest is remembered on the user (``is_guest`` then
  costs no query), from what the path already knows (the session marker, the
  guest row loaded with a token) or else asked once;
- a guest never acts as staff or superuser, whatever its row says;
- with ``GUEST_AUTH_GUEST_ACCESS = "opt-in"`` a guest is anonymous to a view
  that does not opt in (``hides_guest``: the middleware asks it too, for
  sessions, before the user is loaded);
- a credential issued to a guest that is no guest any more (promoted since)
  is refused unless the promotion kept it for its own client: while allauth
  waits for a mandatory email verification the promotion keeps none (see
  guest_auth.contrib.allauth), so the account is a regular user on no path.

A way in added later names itself in PATHS and gets a row in the path x rule
test matrix (tests/cross/test_gate_matrix.py), which fails until it has one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from ._access import opt_in_only, opts_in
from ._session import demote, is_guest, remember_guest

__all__ = [
    "API_TOKEN",
    "DEVICE_CREDENTIAL",
    "HEADLESS_APP",
    "HEADLESS_BROWSER",
    "JWT_ACCESS",
    "JWT_REFRESH",
    "PATHS",
    "SESSION",
    "UNKNOWN_VIEW",
    "admit",
    "hides_guest",
]

# The ways in. SESSION covers sync and async requests (one core, see
# guest_auth.middleware) and allauth's web views.
SESSION = "session"
API_TOKEN = "api token"
DEVICE_CREDENTIAL = "device credential"
JWT_ACCESS = "jwt access"
JWT_REFRESH = "jwt refresh"
HEADLESS_BROWSER = "headless browser"
HEADLESS_APP = "headless app"
PATHS = (
    SESSION,
    API_TOKEN,
    DEVICE_CREDENTIAL,
    JWT_ACCESS,
    JWT_REFRESH,
    HEADLESS_BROWSER,
    HEADLESS_APP,
)

#: ``admit(view=UNKNOWN_VIEW)``: the path does not know the view yet (the
#: session path loads its user lazily; GuestMiddleware.process_view asks
#: ``hides_guest`` for the view itself).
UNKNOWN_VIEW: Any = object()


def admit(
    user: Any,
    *,
    path: str,
    guest: Any = None,
    view: Any = UNKNOWN_VIEW,
    issued_to_guest: bool = False,
    still_issued: Any = None,
) -> Any:
    """The user ``path`` lets in for ``user``: ``user`` itself, an anonymous
    user (the view does not let this guest in as a guest), or None to refuse
    the credential.

    ``guest``: what the path already knows of whether the user is a guest
    (True/False, the Guest row, or None when it knows nothing: then is_guest()
    asks). ``view``: the view (function, class or DRF view instance) the
    request is for, when the path knows it: a guest that the view does not let
    in under "opt-in" gives an AnonymousUser (the request is anonymous).
    ``issued_to_guest``: the credential was issued while the user was a guest
    (a JWT's claim); if the user is no guest now, ``still_issued()`` says
    whether the promotion kept the credential for its own client.
    """
    if path not in PATHS:
        raise ValueError(f"Unknown way in {path!r}: add it to guest_auth._gate.PATHS.")
    if user is None or not user.is_authenticated:
        return user
    if not getattr(user, "is_active", True):
        return None
    if guest is not None:
        remember_guest(user, guest)
    if is_guest(user):
        demote(user)
        if view is not UNKNOWN_VIEW and hides_guest(view):
            return AnonymousUser()
    elif issued_to_guest and (still_issued is None or not still_issued()):
        return None
    return user


def hides_guest(view: Any) -> bool:
    """Whether a guest is anonymous to ``view`` (GUEST_AUTH_GUEST_ACCESS = "opt-in").

    ``view`` is a view function, a class-based view's function, or a DRF view
    instance: a class opts in with ``guest_auth_opt_in = True``.
    """
    if not opt_in_only():
        return False
    return not (opts_in(view) or opts_in(type(view)))
