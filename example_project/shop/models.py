from decimal import Decimal

from django.conf import settings
from django.db import models

# The most of one product a cart line or an order line may hold.
MAX_QUANTITY = 99


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CartItem(models.Model):
    # Guests are real users, so the cart needs nothing special: promotion keeps
    # the user's primary key, and with it these rows. Logging into an existing
    # account merges them (shop.merging.add_quantities, GUEST_AUTH_MERGE_POLICIES).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["product__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="shop_cartitem_user_product")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


class Preferences(models.Model):
    """What a visitor may set before having an account; guests edit it too.

    One row per user: a guest who logs into an account that has none brings
    theirs along (the "move" merge policy), otherwise the account's own wins.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    display_name = models.CharField(
        "name to greet you with",
        max_length=50,
        blank=True,
        help_text="Shown in the page header instead of your username.",
    )
    shipping_address = models.TextField(
        "default shipping address",
        max_length=300,
        blank=True,
        help_text="Filled in for you at checkout.",
    )
    newsletter = models.BooleanField(
        "email me about new products",
        default=False,
    )

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"


class Order(models.Model):
    # SET_NULL: an order is a record of a sale; purging the guest who placed it
    # must not delete it. Logging into an account moves the guest's orders there.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=100)
    email = models.EmailField()
    shipping_address = models.TextField(max_length=300)
    total = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"order {self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Name and price are copied: the order must not change when the catalogue does.
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True)
    product_name = models.CharField(max_length=100)
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["product_name", "pk"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity
