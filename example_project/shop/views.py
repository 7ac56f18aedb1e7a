"""The shop's pages.

A guest is created only when a visitor does something worth keeping: adding
to the cart, saving preferences, or pressing "Continue as guest". Browsing,
the cart page and checkout never create one. Input is validated *before* a
guest is created, so a bad request leaves no user behind.
"""

from django.contrib import messages
from django.contrib.auth.views import LoginView, redirect_to_login
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guest_auth.decorators import allow_guest, regular_user_required

from .demo import reset_demo_cart
from .forms import CheckoutForm, PreferencesForm, QuantityForm
from .models import MAX_QUANTITY, CartItem, Order, OrderLine, Preferences, Product


def product_list(request):
    # A plain view: browsing never creates a guest.
    return render(request, "shop/product_list.html", {"products": Product.objects.all()})


# require_POST comes first so that a GET (a prefetch, a crawler) creates no guest.
@require_POST
def add_to_cart(request, product_id):
    product = get_object_or_404(Product, pk=product_id)  # before any guest is created
    return _add_to_cart(request, product)


@allow_guest
def _add_to_cart(request, product):
    if not request.user.is_authenticated:
        # allow_guest gives bots (and anything the adapter refuses) no guest.
        messages.info(request, "Please log in to use the cart.")
        return redirect_to_login(reverse("shop:cart"))
    item, created = CartItem.objects.get_or_create(user=request.user, product=product)
    if not created:
        added = CartItem.objects.filter(pk=item.pk, quantity__lt=MAX_QUANTITY).update(
            quantity=F("quantity") + 1
        )
        if not added:
            messages.warning(
                request, f"You already have {MAX_QUANTITY} of {product.name}, the most per order."
            )
            return redirect("shop:cart")
    messages.success(request, f"Added {product.name} to your cart.")
    return redirect("shop:cart")


def _cart_items(user):
    if not user.is_authenticated:
        return []
    return list(CartItem.objects.filter(user=user).select_related("product"))


def _render_cart(request, errors=None):
    items = _cart_items(request.user)
    for item in items:
        item.errors = (errors or {}).get(item.product_id, [])
    context = {
        "items": items,
        "total": sum(item.total for item in items),
        "max_quantity": MAX_QUANTITY,
    }
    return render(request, "shop/cart.html", context)


def cart(request):
    return _render_cart(request)


@require_POST
def update_cart(request, product_id):
    """Set a cart line's quantity; 0 removes the line."""
    if not request.user.is_authenticated:
        raise Http404("Your cart is empty.")
    item = get_object_or_404(
        CartItem.objects.select_related("product"), user=request.user, product_id=product_id
    )
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return _render_cart(request, errors={item.product_id: form.errors["quantity"]})
    quantity = form.cleaned_data["quantity"]
    if quantity == 0:
        item.delete()
        messages.success(request, f"Removed {item.product.name} from your cart.")
    else:
        CartItem.objects.filter(pk=item.pk).update(quantity=quantity)
        messages.success(request, f"You now have {quantity} of {item.product.name}.")
    return redirect("shop:cart")


@require_POST
def continue_as_guest(request):
    """The "Continue as guest" button: become a guest now, without adding anything."""
    # Checked before allow_guest runs, so the target is known to be safe.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("shop:product_list")
    return _continue_as_guest(request, target)


@allow_guest
def _continue_as_guest(request, target):
    if not request.user.is_authenticated:
        messages.info(request, "Please log in to continue.")
        return redirect_to_login(target)
    return redirect(target)


def _preferences_of(user):
    if not user.is_authenticated:
        return Preferences()
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def preferences(request):
    """Anyone may look at the form; saving it makes the visitor a guest."""
    form = PreferencesForm(instance=_preferences_of(request.user))
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=_preferences_of(request.user))
        if form.is_valid():  # only valid preferences are worth a guest
            return _save_preferences(request, form.cleaned_data)
    return render(request, "shop/preferences.html", {"form": form})


@allow_guest
def _save_preferences(request, data):
    if not request.user.is_authenticated:
        messages.info(request, "Please log in to save preferences.")
        return redirect_to_login(reverse("shop:preferences"))
    Preferences.objects.update_or_create(user=request.user, defaults=data)
    messages.success(request, "Your preferences are saved.")
    return redirect("shop:preferences")


def checkout(request):
    """Guests check out like anyone else: the order is theirs, an account is optional."""
    if not _cart_items(request.user):
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("shop:cart")
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            order = _place_order(request.user, form.cleaned_data)
            if order is None:  # emptied meanwhile (a second submit of the same form)
                messages.info(request, "Your cart is empty: add something before checking out.")
                return redirect("shop:cart")
            messages.success(request, "Thank you! Your order is placed.")
            return redirect("shop:order_detail", pk=order.pk)
    else:
        form = CheckoutForm(initial=_checkout_initial(request.user))
    items = _cart_items(request.user)
    return render(
        request,
        "shop/checkout.html",
        {
            "form": form,
            "items": items,
            "total": sum(item.total for item in items),
        },
    )


def _checkout_initial(user):
    prefs = _preferences_of(user)
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return {
        "name": prefs.display_name or full_name,
        "email": getattr(user, "email", "") or "",
        "shipping_address": prefs.shipping_address,
    }


def _place_order(user, data):
    """Turn the cart into an order, in one transaction; None if the cart is empty."""
    with transaction.atomic():
        # Locked, so two submits of one cart make one order.
        items = list(CartItem.objects.select_for_update().filter(user=user).order_by("pk"))
        if not items:
            return None
        products = Product.objects.in_bulk([item.product_id for item in items])
        lines = [
            OrderLine(
                product=products[item.product_id],
                product_name=products[item.product_id].name,
                unit_price=products[item.product_id].price,
                quantity=item.quantity,
            )
            for item in items
        ]
        order = Order.objects.create(user=user, total=sum(line.total for line in lines), **data)
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return order


def order_detail(request, pk):
    """Only the buyer sees an order; anyone else gets a 404, not a hint it exists."""
    if not request.user.is_authenticated:
        raise Http404("No such order.")
    order = get_object_or_404(Order.objects.prefetch_related("lines"), pk=pk, user=request.user)
    return render(request, "shop/order_detail.html", {"order": order})


@regular_user_required
def account(request):
    context = {
        "cart_count": CartItem.objects.filter(user=request.user).count(),
        "orders": Order.objects.filter(user=request.user),
    }
    return render(request, "shop/account.html", context)


class ShopLoginView(LoginView):
    """Django's login page; logging in as the shared demo account resets its cart first."""

    def form_valid(self, form):
        reset_demo_cart(form.get_user())
        return super().form_valid(form)


def app(request):
    """The shop as a single-page app: plain JavaScript that uses only the APIs."""
    from django.apps import apps

    return render(
        request,
        "shop/app.html",
        {"has_api": apps.is_installed("rest_framework"), "products": Product.objects.all()},
    )
