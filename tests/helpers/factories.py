"""The suite's factories are guest_auth.testing's own (so they are tested too)."""

from guest_auth.testing.factories import (
    DEFAULT_PASSWORD as PASSWORD,
)
from guest_auth.testing.factories import (
    GuestFactory,
    GuestUserFactory,
    UserFactory,
    username_for,
)

__all__ = ["PASSWORD", "GuestFactory", "GuestUserFactory", "UserFactory", "username_for"]
