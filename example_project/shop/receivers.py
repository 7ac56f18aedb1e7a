"""Tell a guest who logged into an account, or created one, that nothing was lost."""

from django.contrib import messages
from django.db import transaction

from guest_auth.signals import guest_merged, guest_promoted


def _say_merged(sender, request, guest, user, **kwargs):
    # After the commit: a later receiver may still undo the merge.
    transaction.on_commit(
        lambda: messages.success(
            request, "Welcome back! What you added as a guest is now in your account."
        )
    )


def _say_promoted(sender, request, user, **kwargs):
    # Pages only: an API client (no message storage) is told by the API's answer.
    if request is None or not hasattr(request, "_messages"):
        return
    transaction.on_commit(
        lambda: messages.success(
            request, "Your account is ready. Everything you added as a guest is still here."
        )
    )


def connect() -> None:
    guest_merged.connect(_say_merged, dispatch_uid="shop.say_merged")
    guest_promoted.connect(_say_promoted, dispatch_uid="shop.say_promoted")
