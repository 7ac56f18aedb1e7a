"""Rows a guest can own, one per on_delete rule the purge must honour."""

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Item(models.Model):
    """Goes with its owner (CASCADE)."""

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="purge_items")


class Comment(models.Model):
    """Outlives its author, who becomes NULL (SET_NULL)."""

    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")


class Invoice(models.Model):
    """Keeps its owner alive (PROTECT): such a guest is skipped."""

    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class Refund(models.Model):
    """Blocks its owner's deletion (RESTRICT) unless the refund itself goes
    through a CASCADE of the same deletion (its item is being deleted too)."""

    owner = models.ForeignKey(USER, on_delete=models.RESTRICT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, null=True, related_name="+")


class Receipt(models.Model):
    """PROTECTs an Item: a guest is protected two steps away."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")


class Upload(models.Model):
    """Goes with its owner; a post_delete receiver (receivers.py) watches it,
    as a receiver that removes the stored file would."""

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)
