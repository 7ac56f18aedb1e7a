"""Promotion: a guest becomes a regular user in place, keeping its primary key.

One transaction: the Guest row goes, the fields and the password are set on
the same user row, and the guest's other ways in (sessions, device
credentials, other clients' API tokens) are closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY, update_session_auth_hash
from django.db import router, transaction
from django.views.decorators.debug import sensitive_variables

from . import _state as state
from ._insights.tally import record_removed
from ._names import claim_names
from ._session import (
    GUEST_SESSION_KEY,
    SEEN_SESSION_KEY,
    remember_guest,
    session_user_id,
    set_request_user,
)
from ._tokens import bind_token
from .exceptions import NotAGuest
from .models import APIToken, DeviceCredential, Guest
from .signals import guest_promoted

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["PASSWORD_ALREADY_SET", "promote_guest"]

# promote_guest(password=PASSWORD_ALREADY_SET): the caller put a hash (or an
# unusable marker) on the instance itself, as allauth's save_user() does, and
# it is written as is instead of hashing the raw password a second time.
PASSWORD_ALREADY_SET: Any = object()


# The raw password is a local here: keep it out of Django's error reports.
@sensitive_variables("password", "fields")
def promote_guest(
    request: HttpRequest | None, user: Any, *, method: str | None = None, **fields: Any
) -> Any:
    """Turn the guest ``user`` into a regular user in place and return it.

    ``fields`` are model field values to set (``username``, ``email``...);
    ``password`` is the raw password, hashed here. Callers validate first (the
    promote form does). Everything happens in one transaction: the Guest row
    goes, the user keeps its primary key and every related row. When
    ``request`` is the guest's own, it stays logged in under a rotated session
    key; the guest's other sessions are signed out. Its device credentials are
    revoked and its API tokens too, except the one ``request`` authenticated
    with, which is bound to the new password. Raises NotAGuest when the user
    is no longer a guest (promoted or purged meanwhile), and NameTaken (an
    IntegrityError) when another account has the username or email ignoring
    case, a concurrent promotion included.
    """
    password = fields.pop("password", None)
    model_fields = {f.name: f for f in user._meta.concrete_fields}
    unknown = sorted(set(fields) - set(model_fields))
    if unknown:
        raise TypeError(f"promote_guest() got fields the user model does not have: {unknown}")
    if method is None and isinstance(password, str):
        method = "password"

    with transaction.atomic(using=router.db_for_write(Guest)):
        created = (
            Guest.objects.select_for_update()
            .filter(pk=user.pk)
            .values_list("created_at", flat=True)
            .first()
        )
        if created is None:
            raise NotAGuest(f"User {user.pk} is not a guest.")
        Guest.objects.filter(pk=user.pk).delete()
        record_removed("promoted", [created])
        # Like its other sessions, the guest's other ways in are closed: device
        # credentials (only guests have them) and API tokens of other clients.
        DeviceCredential.objects.filter(user_id=user.pk).delete()
        tokens = APIToken.objects.filter(user_id=user.pk)
        request_state = state.peek(request) if request is not None else None
        current = request_state.api_token if request_state is not None else None
        if current is not None:
            tokens = tokens.exclude(pk=current.pk)
        tokens.delete()
        for name, value in fields.items():
            setattr(user, name, value)
        # Unique ignoring case, also against a concurrent promotion (NameTaken).
        claim_names(user, router.db_for_write(user._meta.model))
        if password is PASSWORD_ALREADY_SET:
            pass
        elif password is None:
            # A fresh unusable password still changes the session auth hash,
            # which signs the guest out everywhere but here.
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=[*fields, "password"])
        if current is not None:
            # The new password ends every token bound to the old one but this.
            bind_token(current, user)
        remember_guest(user, False)
        guest_promoted.send(sender=Guest, request=request, user=user, method=method)

    # Only a session logged in as this user changes: a request may carry one
    # guest's token and another guest's session cookie, and the other guest
    # must stay marked (and treated) as the guest it still is.
    session = getattr(request, "session", None)
    if (
        request is not None
        and session is not None
        and session.get(SESSION_KEY) == session_user_id(user)
    ):
        session.pop(GUEST_SESSION_KEY, None)
        session.pop(SEEN_SESSION_KEY, None)
        set_request_user(request, user)
        update_session_auth_hash(request, user)
    return user
