from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guest_auth.decorators import allow_guest, regular_user_required

from .models import CartItem, Product


def product_list(request):
    # A plain view: browsing never creates a guest, only adding to the cart does.
    return render(request, "shop/product_list.html", {"products": Product.objects.all()})


# require_POST comes first so that a GET (a prefetch, a crawler) creates no guest.
@require_POST
@allow_guest
def add_to_cart(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    if not request.user.is_authenticated:
        # allow_guest gives bots (and anything the adapter refuses) no guest.
        messages.info(request, "Please log in to use the cart.")
        return redirect_to_login(reverse("shop:cart"))
    item, created = CartItem.objects.get_or_create(user=request.user, product=product)
    if not created:
        CartItem.objects.filter(pk=item.pk).update(quantity=F("quantity") + 1)
    messages.success(request, f"Added {product.name} to your cart.")
    return redirect("shop:cart")


def cart(request):
    items = []
    if request.user.is_authenticated:
        items = list(CartItem.objects.filter(user=request.user).select_related("product"))
    context = {"items": items, "total": sum(item.total for item in items)}
    return render(request, "shop/cart.html", context)


@regular_user_required
def account(request):
    count = CartItem.objects.filter(user=request.user).count()
    return render(request, "shop/account.html", {"cart_count": count})
