"""Tell a guest who logged into an account that nothing was lost."""

from django.contrib import messages
from django.db import transaction

from guest_auth.signals import guest_merged


def _say_merged(sender, request, guest, user, **kwargs):
    # After the commit: a later receiver may still undo the merge.
    transaction.on_commit(
        lambda: messages.success(
            request, "Welcome back! What you added as a guest is now in your account."
        )
    )


def connect() -> None:
    guest_merged.connect(_say_merged, dispatch_uid="shop.say_merged")
