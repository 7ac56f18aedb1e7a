"""The REST API for guests, on djangorestframework (``pip install "django-guest-auth[drf]"``).

Include ``guest_auth.contrib.rest_framework.urls`` (for example under
``api/guest/``). Public names: ``authentication.GuestTokenAuthentication``,
``permissions.IsGuest`` and ``permissions.IsRegularUser``. This package is the
only place guest_auth imports rest_framework; the rules live in
guest_auth.services, the views are a thin layer over it.
"""

__all__: list[str] = []
