"""allauth's email addresses, as guest_auth's is_verified claim reads them."""

from __future__ import annotations

from typing import Any

__all__ = ["has_verified_email"]


def has_verified_email(user: Any) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
