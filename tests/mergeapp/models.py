"""One model per merge rule. Registration order is the merge's order."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

USER = settings.AUTH_USER_MODEL


class Product(models.Model):
    name = models.CharField(max_length=50, unique=True)


class CartItem(models.Model):
    """A plain foreign key: every row moves."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="merge_cart_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)


class Favourite(models.Model):
    """Unique per user and product (UniqueConstraint): the user's own row wins."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="merge_favourites")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="mergeapp_favourite_unique")
        ]


class Review(models.Model):
    """Unique per user and product through unique_together, naming the column."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="merge_reviews")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    stars = models.PositiveSmallIntegerField(default=5)

    class Meta:
        unique_together = [("user_id", "product")]


class Address(models.Model):
    """At most one default address per user (a conditional UniqueConstraint)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="merge_addresses")
    line = models.CharField(max_length=100)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="mergeapp_address_one_default",
            )
        ]


class Profile(models.Model):
    """One-to-one: stays with the guest."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="merge_profile")
    nickname = models.CharField(max_length=50)


class Tag(models.Model):
    """Many-to-many to users: the guest's links are added to the user's."""

    name = models.CharField(max_length=50, unique=True)
    users = models.ManyToManyField(USER, related_name="merge_tags", blank=True)


class Order(models.Model):
    """PROTECT: an order must never lose its customer."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="merge_orders")
    number = models.CharField(max_length=20)


class Comment(models.Model):
    """A self-referencing foreign key next to the one to the user."""

    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="merge_comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    text = models.CharField(max_length=100)


class Activity(models.Model):
    """A generic foreign key; a text object id holds integer and UUID keys alike."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    verb = models.CharField(max_length=50)


class Subscription(models.Model):
    """A generic foreign key inside a unique constraint."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subscriber = GenericForeignKey("content_type", "object_id")
    topic = models.CharField(max_length=50)

    class Meta:
        unique_together = [("content_type", "object_id", "topic")]
