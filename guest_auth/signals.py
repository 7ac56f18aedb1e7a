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

#: Sent once for every merge of a guest into a user, on every path: a login
#: that replaced the guest's session (GUEST_AUTH_MERGE_ON_LOGIN), a merge the
#: visitor confirmed (the ``guest_auth:merge`` page, ``POST api/guest/merge/``)
#: and a direct call to ``services.merge_guest()``. Inside the merge's
#: transaction: a receiver that raises undoes the merge (at login, the login
#: still succeeds and the error is logged; a direct call raises it). When the
#: site's ``GuestAdapter.merge()`` does not call ``merge_guest()``, it is sent
#: after that method returns. Not sent for a dry run, nor when no merge is
#: allowed (``merge_guest()`` returns an empty summary).
#: Arguments: ``request`` (the login's or confirmation's request; None for a
#: direct ``merge_guest()`` call outside one), ``guest`` (the guest user, now
#: deleted; ``pk`` still set), ``user`` (the account the guest's data went to).
guest_merged = Signal()
