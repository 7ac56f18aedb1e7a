"""Usernames and emails are unique ignoring case, with one rule on every database.

"Ignoring case" means ``str.casefold()``: "Straße" and "STRASSE" are the same
name, "admin" and "adm\u0131n" (dotless i) are not, whatever the database's own
case rules say. Promotion inserts a NameClaim per name, keyed by the casefolded
form, in its transaction: two concurrent promotions to names equal under
casefold serialise on that key and the second fails (an IntegrityError: a
form error, or 400 from the API). Names set outside guest_auth (createsuperuser,
the admin, another signup) have no claim; they are found through the
database's case-insensitive match and then compared by casefold, so for those
rows the database's case rules decide what is found.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError

from .exceptions import NameTaken
from .models import NameClaim

__all__ = ["NameTaken", "claim_names", "name_fields", "name_taken"]

# Users whose names match case-insensitively by the database's rules, checked
# by casefold in Python: a handful at most in practice.
_MAX_CANDIDATES = 100


def name_fields(model: type[Any]) -> list[str]:
    """The fields that must be unique ignoring case: USERNAME_FIELD and the email."""
    fields = [model.USERNAME_FIELD]
    email = model.get_email_field_name()
    if email not in fields:
        try:
            model._meta.get_field(email)
        except FieldDoesNotExist:
            return fields
        fields.append(email)
    return fields


def _key(field: str, value: str) -> str:
    return hashlib.sha256(f"{field}\0{value.casefold()}".encode()).hexdigest()


def name_taken(
    model: type[Any], field: str, value: str, *, exclude_pk: Any = None, using: str | None = None
) -> bool:
    """Whether another user's ``field`` equals ``value`` under casefold."""
    claims = NameClaim.objects.using(using).filter(key=_key(field, value))
    rows = model._default_manager.using(using).filter(**{f"{field}__iexact": value})
    if exclude_pk is not None:
        claims = claims.exclude(user_id=exclude_pk)
        rows = rows.exclude(pk=exclude_pk)
    if claims.exists():
        return True
    folded = value.casefold()
    return any(
        isinstance(other, str) and other.casefold() == folded
        for other in rows.values_list(field, flat=True)[:_MAX_CANDIDATES]
    )


def claim_names(user: Any, using: str) -> None:
    """Claim ``user``'s names inside the caller's transaction, or raise NameTaken.

    The INSERT of a claim waits for a concurrent transaction holding the same
    key and fails once it commits; the check after it sees every committed
    user (READ COMMITTED, Django's level on PostgreSQL and MySQL/MariaDB).
    """
    model = user._meta.model
    for field in name_fields(model):
        value = getattr(user, field, None)
        if not isinstance(value, str) or not value:
            continue
        key = _key(field, value)
        if NameClaim.objects.using(using).filter(key=key, user_id=user.pk).exists():
            continue
        try:
            NameClaim.objects.using(using).create(key=key, user_id=user.pk)
        except IntegrityError as exc:
            raise NameTaken(f"{field} {value!r} is taken.") from exc
        if name_taken(model, field, value, exclude_pk=user.pk, using=using):
            raise NameTaken(f"{field} {value!r} is taken.")
