"""API tokens and device credentials: how API clients are guests.

An API client gets a token (``Authorization: Token ...``) and, while it is a
guest, a device credential that logs the same guest in again from a fresh
client. Both are random secrets stored only as hashes (guest_auth._secrets),
found through one look-up. guest_auth.contrib.rest_framework is a thin layer
over these; they import nothing of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import router, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.debug import sensitive_variables

from . import _secrets
from . import _state as state
from ._create import create_guest
from ._gate import API_TOKEN, DEVICE_CREDENTIAL, UNKNOWN_VIEW, admit
from ._session import log_in
from .conf import guest_settings
from .models import APIToken, DeviceCredential, Guest, SecretModel

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "authenticate_api_token",
    "bind_token",
    "bound_token",
    "create_api_guest",
    "credentials_of",
    "issue_api_token",
    "issue_bound_token",
    "issue_device_credential",
    "login_with_device_credential",
    "revoke_all",
    "revoke_credential",
    "revoke_request_token",
]

_Secret = TypeVar("_Secret", bound=SecretModel)


def create_api_guest(request: HttpRequest) -> tuple[Any, str, str]:
    """create_guest() plus an API token and a device credential, all or nothing.

    Returns (user, token, credential); the secrets are not stored anywhere in
    clear, so this is the only time they exist. Raises what create_guest raises.
    """
    with transaction.atomic(using=router.db_for_write(Guest)):
        user = create_guest(request)
        return user, issue_api_token(user), issue_device_credential(user)


# The fresh token is a local here too: keep it out of Django's error reports.
@sensitive_variables("raw", "token")
def login_with_device_credential(request: HttpRequest, raw: Any) -> tuple[Any, str] | None:
    """Log in the guest whose device credential ``raw`` is; return (user, new token).

    None, whatever the reason (malformed, unknown, revoked, the guest promoted,
    inactive or past GUEST_AUTH_MAX_INACTIVITY), so callers cannot tell which.
    """
    credential = _find(DeviceCredential, raw)
    if credential is None:
        return None
    user = credential.user
    try:
        guest = user.guest
    except Guest.DoesNotExist:
        return None  # promote_guest deletes credentials; never trust that alone
    now = timezone.now()
    if guest.last_seen_at < now - guest_settings.MAX_INACTIVITY:
        return None
    if admit(user, path=DEVICE_CREDENTIAL, guest=guest) is None:
        return None
    with transaction.atomic(using=router.db_for_write(Guest)):
        # Zero rows when a promotion or purge deleted the guest since the read
        # above; otherwise the row lock orders this before such a deletion.
        if not Guest.objects.filter(pk=user.pk).update(last_seen_at=now):
            return None
        token = issue_api_token(user)
    log_in(request, user)
    return user, token


@sensitive_variables("raw")
def authenticate_api_token(
    request: HttpRequest | None, raw: Any, *, path: str = API_TOKEN, view: Any = UNKNOWN_VIEW
) -> tuple[Any, APIToken] | None:
    """(user, token) for the API token ``raw`` of an active user, or None.

    ``path`` is the way in (guest_auth._gate) the token is presented on,
    ``view`` the view it is for when known: the gate refuses what it does
    not let in (then None too).

    One query (token, user and guest row together), so is_guest() costs none
    afterwards. Use refreshes the token's last_used_at and the guest's
    last_seen_at, at most once per GUEST_AUTH_ACTIVITY_INTERVAL per token. A
    token unused for GUEST_AUTH_MAX_INACTIVITY is deleted when presented.
    """
    token = _find(APIToken, raw)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at < now - guest_settings.MAX_INACTIVITY:
        token.delete()
        return None
    user = token.user
    if not _bound(token, user):
        return None
    try:
        guest = user.guest
    except Guest.DoesNotExist:
        guest = None
    admitted = admit(user, path=path, guest=guest or False, view=view)
    if admitted is None:
        return None
    if now - token.last_used_at >= guest_settings.ACTIVITY_INTERVAL:
        # The guest first, claimed before the view runs (see _session.claim):
        # no row when a purge or merge took it meanwhile (its tokens went too).
        if guest is not None and not Guest.objects.filter(pk=user.pk).update(last_seen_at=now):
            return None
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    if request is not None:
        # Promotion keeps the token the request authenticated with.
        state.of(request).api_token = token
    return admitted, token


def issue_bound_token(user: Any, raw: str | None = None) -> APIToken:
    """The APIToken row a signed token (a JWT) is bound to: the row of the
    opaque token ``raw`` when given, else a new row whose secret nobody sees.

    Bound tokens end when the row goes (promotion from another client, purge,
    merge, self-deletion, revocation) or expires, like opaque tokens do.
    """
    if raw is not None:
        row = _find(APIToken, raw)
        if row is not None:
            return row
    secret = _secrets.new()
    return APIToken._default_manager.create(
        user=user, lookup=secret.lookup, digest=secret.digest, auth_hash=_auth_hash(user)
    )


def bound_token(request: HttpRequest | None, pk: Any, user: Any) -> APIToken | None:
    """The live APIToken row ``pk`` of ``user`` a signed token is bound to, or None.

    As for opaque tokens: a row unused for GUEST_AUTH_MAX_INACTIVITY is
    deleted, use refreshes last_used_at (and the guest's last_seen_at) at most
    once per GUEST_AUTH_ACTIVITY_INTERVAL, and the request remembers it so
    that a promotion keeps it.
    """
    try:
        # Issued moments ago, maybe: only the write database has it for sure.
        token = (
            APIToken._default_manager.db_manager(router.db_for_write(APIToken))
            .filter(pk=pk, user_id=user.pk)
            .first()
        )
    except (TypeError, ValueError):
        return None
    # Like an opaque token, it ends with a password change or reset.
    if token is None or not _bound(token, user):
        return None
    now = timezone.now()
    if token.last_used_at < now - guest_settings.MAX_INACTIVITY:
        token.delete()
        return None
    if now - token.last_used_at >= guest_settings.ACTIVITY_INTERVAL:
        # The guest's claim first (see _session.claim): when a purge or merge
        # held the guest, this waits for it, and the token went with the user.
        Guest.objects.filter(pk=user.pk).update(last_seen_at=now)
        if not APIToken.objects.filter(pk=token.pk).update(last_used_at=now):
            return None
    if request is not None:
        state.of(request).api_token = token
    return token


@sensitive_variables("raw", "parts", "secret")
def _find(model: type[_Secret], raw: Any) -> _Secret | None:
    """The row of ``model`` whose secret ``raw`` is, with its user and guest row; or None."""
    parts = _secrets.split(raw)
    if parts is None:
        return None
    lookup, secret = parts
    # A secret is used the moment it is issued: read where it was written.
    manager = model._default_manager.db_manager(router.db_for_write(model))
    row = manager.select_related("user", "user__guest").filter(lookup=lookup).first()
    if row is None or not _secrets.matches(row.digest, secret):
        return None
    return row


def issue_api_token(user: Any) -> str:
    return _issue(APIToken, user, auth_hash=_auth_hash(user))


def bind_token(token: APIToken, user: Any) -> None:
    """Bind ``token`` to ``user``'s current password (after promotion set one)."""
    token.auth_hash = _auth_hash(user)
    APIToken.objects.filter(pk=token.pk).update(auth_hash=token.auth_hash)


def _auth_hash(user: Any) -> str:
    get_hash = getattr(user, "get_session_auth_hash", None)
    return get_hash() if get_hash is not None else ""


def _bound(token: APIToken, user: Any) -> bool:
    """Whether the token was issued for the user's current password.

    As django.contrib.auth.get_user() does for a session, with the hash of
    each SECRET_KEY_FALLBACKS key too. A token issued before guest_auth bound
    tokens (empty hash) is refused: its client logs in again.
    """
    if not token.auth_hash:
        return False
    if constant_time_compare(token.auth_hash, _auth_hash(user)):
        return True
    make_hash = getattr(user, "_get_session_auth_hash", None)
    return make_hash is not None and any(
        constant_time_compare(token.auth_hash, make_hash(secret=secret))
        for secret in settings.SECRET_KEY_FALLBACKS
    )


def credentials_of(user: Any) -> list[SecretModel]:
    """The user's API tokens and device credentials, oldest first."""
    rows: list[SecretModel] = [
        *APIToken.objects.filter(user_id=user.pk),
        *DeviceCredential.objects.filter(user_id=user.pk),
    ]
    return sorted(rows, key=lambda row: (row.created_at, row.lookup))


def revoke_credential(user: Any, lookup: str) -> bool:
    """Delete the user's token or device credential whose lookup id is ``lookup``."""
    deleted = 0
    for model in (APIToken, DeviceCredential):
        deleted += model.objects.filter(user_id=user.pk, lookup=lookup).delete()[0]
    return deleted > 0


def revoke_all(user: Any) -> int:
    """Delete every API token and device credential of ``user`` (the JWTs
    bound to them end too); the number of rows deleted."""
    using = router.db_for_write(APIToken)
    with transaction.atomic(using=using):
        return sum(
            model._default_manager.db_manager(using).filter(user_id=user.pk).delete()[0]
            for model in (APIToken, DeviceCredential)
        )


def revoke_request_token(request: HttpRequest) -> bool:
    """Delete the API token ``request`` authenticated with, if any."""
    request_state = state.peek(request)
    token = request_state.api_token if request_state is not None else None
    if token is None:
        return False
    APIToken.objects.filter(pk=token.pk).delete()
    return True


def issue_device_credential(user: Any) -> str:
    return _issue(DeviceCredential, user)


@sensitive_variables("secret")
def _issue(model: type[SecretModel], user: Any, **extra: Any) -> str:
    secret = _secrets.new()
    model._default_manager.create(user=user, lookup=secret.lookup, digest=secret.digest, **extra)
    return secret.raw
