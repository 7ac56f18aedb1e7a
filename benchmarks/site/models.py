from django.conf import settings
from django.db import models


class Visit(models.Model):
    """One row per recorded request: the load benchmark counts them to find lost writes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"visit {self.pk}"
