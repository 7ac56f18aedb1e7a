from django.conf import settings
from django.db import models


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
    # the user's primary key, and with it these rows.
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
    def total(self):
        return self.product.price * self.quantity
