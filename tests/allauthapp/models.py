from django.conf import settings
from django.db import models


class PhoneNumber(models.Model):
    """Where the test phone adapter keeps a user's phone, as a site would."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_number"
    )
    phone = models.CharField(max_length=20, unique=True)
    verified = models.BooleanField(default=False)
