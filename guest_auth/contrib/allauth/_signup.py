"""django-allauth as the site's signup: the signup provider guest_auth's core asks.

allauth is the signup when ACCOUNT_ADAPTER includes GuestAccountAdapterMixin
(one answer, ``integration_enabled()``, for every caller: the promote page,
the API, regular_user_required, is_verified, the checks and the view hooks).
Its rules for email addresses then apply to every promotion, and
``is_verified`` means a verified email address.
"""

from __future__ import annotations

from typing import Any

from ._email import has_verified_email
from ._views import integration_enabled

__all__ = ["AllauthSignup"]


class AllauthSignup:
    url_name = "account_signup"

    def is_signup(self) -> bool:
        return integration_enabled()

    def has_verified_email(self, user: Any) -> bool:
        return has_verified_email(user)
