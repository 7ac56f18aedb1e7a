"""How the shop's rows move when a guest logs into an existing account.

Named in GUEST_AUTH_MERGE_POLICIES (example_project/settings.py).
"""

from django.db.models import F, QuerySet
from django.db.models.functions import Least

from .models import MAX_QUANTITY, CartItem


def add_quantities(guest, user, queryset: QuerySet[CartItem]) -> None:
    """Combine the carts: a product in both carts gets the sum of the quantities.

    Without this, the cart's unique (user, product) constraint would keep the
    account's own line and drop the guest's.
    """
    for item in queryset:
        combined = CartItem.objects.filter(user=user, product=item.product_id).update(
            quantity=Least(F("quantity") + item.quantity, MAX_QUANTITY)
        )
        if combined:
            item.delete()
        else:
            item.user = user
            item.save(update_fields=["user"])
