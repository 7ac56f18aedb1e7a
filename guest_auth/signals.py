"""Signals sent by guest_auth. The sender is always the :class:`~guest_auth.models.Guest` model."""

from django.dispatch import Signal

__all__ = ["guest_created", "guest_promoted", "guests_purged"]

#: Sent after a guest was created and logged in.
#: Arguments: ``request`` (HttpRequest), ``user`` (the new guest user).
guest_created = Signal()

#: Sent after a guest became a regular user in place (same primary key), inside
#: the promotion's transaction: a receiver that raises undoes the promotion.
#: Arguments: ``request``, ``user`` (now regular), ``method`` (a short string
#: naming how: ``"password"`` for the promote view and password promotions,
#: otherwise what the caller passed to ``promote_guest``; may be None).
guest_promoted = Signal()

#: Sent once per purge run that deleted guests (not for dry runs).
#: Arguments: ``count`` (int, how many guests were deleted).
guests_purged = Signal()
