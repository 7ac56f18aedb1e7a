from django.conf import settings
from django.db import models


class Row(models.Model):
    """Something a guest owns; each benchmark guest has two."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    payload = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.payload
