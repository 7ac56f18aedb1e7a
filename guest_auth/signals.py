"""Signals sent by guest_auth. The sender is always the :class:`~guest_auth.models.Guest` model."""

from django.dispatch import Signal

__all__ = ["guest_created", "guest_merged", "guest_promoted", "guests_purged"]

#: Sent after a guest was created and logged in.
#: Arguments: ``request`` (HttpRequest), ``user`` (the new guest user).
guest_created = Signal()

#: Sent after a guest became a regular user in place (same primary key), inside
#: the promotion's transaction: a receiver that raises undoes the promotion.
#: Arguments: ``request``, ``user`` (now regular), ``method`` (a short string
#: naming how: ``"password"`` for the promote view and password promotions,
#: otherwise what the caller passed to ``promote_guest``; may be None).
guest_promoted = Signal()

#: Sent once per purge run that deleted guests (not for dry runs), and once
#: per guest that deleted itself (``services.delete_guest``: the delete view,
#: ``DELETE api/guest/me/``), with ``count=1``, after its transaction.
#: Arguments: ``count`` (int, how many guests were deleted).
guests_purged = Signal()

#: Sent when a guest's session logged into an existing user and the guest was
#: merged into it (GUEST_AUTH_MERGE_ON_LOGIN), inside the merge's transaction:
#: a receiver that raises undoes the merge (the login still succeeds and the
#: error is logged). Not sent by direct calls to ``services.merge_guest()``.
#: Arguments: ``request``, ``guest`` (the guest user, now deleted; ``pk`` still
#: set), ``user`` (the account the guest's data went to).
guest_merged = Signal()
