"""GUEST_AUTH_MERGE_POLICIES callables."""

import threading
import time

from .models import CartItem

not_callable = 3


def add_quantities(guest, user, queryset):
    """A product already in the user's cart gets the guest's quantity added; others move."""
    for item in queryset:
        own = CartItem.objects.filter(user=user, product=item.product_id).first()
        if own is None:
            item.user = user
            item.save(update_fields=["user"])
        else:
            own.quantity += item.quantity
            own.save(update_fields=["quantity"])
            item.delete()


def fail(guest, user, queryset):
    raise RuntimeError("forced failure mid-merge")


holding = threading.Event()


def hold(guest, user, queryset):
    """Keeps the merge's transaction open a moment, so a concurrent merge runs into it."""
    holding.set()
    time.sleep(0.5)
    queryset.update(author=user)
