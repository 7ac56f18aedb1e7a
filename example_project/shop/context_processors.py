from .models import CartItem, Preferences


def shop(request):
    """The header's greeting and cart count (two small queries for signed-in visitors)."""
    user = request.user
    if not user.is_authenticated:
        return {"cart_count": 0, "greeting_name": ""}
    display_name = (
        Preferences.objects.filter(user=user).values_list("display_name", flat=True).first()
    )
    count = sum(CartItem.objects.filter(user=user).values_list("quantity", flat=True))
    return {"cart_count": count, "greeting_name": display_name or ""}
