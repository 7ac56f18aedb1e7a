"""Rows a guest's data export must cope with (tests/core/test_export.py)."""

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Colour:
    """A value JSON cannot hold."""

    def __init__(self, name):
        self.name = name


class ColourField(models.CharField):
    """A custom field whose Python value is a Colour object."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Colour(value)

    def get_prep_value(self, value):
        return value.name if isinstance(value, Colour) else value


class Message(models.Model):
    """Two foreign keys to the user: a row is exported once, under one label."""

    sender = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, null=True, related_name="+")
    text = models.CharField(max_length=100)


class Attachment(models.Model):
    """Values JSON cannot hold, and a secret by its name."""

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    blob = models.BinaryField(null=True)
    file = models.FileField(upload_to="exports/", blank=True)
    ratio = models.FloatField(null=True)
    meta = models.JSONField(default=dict)
    colour = ColourField(null=True)
    api_key = models.CharField(max_length=40, default="")
