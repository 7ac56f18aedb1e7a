"""The REST API for guests, on djangorestframework (``pip install "django-guest-auth[drf]"``).

Include ``guest_auth.contrib.rest_framework.urls`` (for example under
``api/guest/``). Public names: ``authentication.GuestTokenAuthentication``,
``permissions.IsGuest`` and ``permissions.IsRegularUser``. This package is the
only place guest_auth imports rest_framework; the rules live in
guest_auth.services, the views are a thin layer over it.
"""

__all__ = ["register"]


def register() -> None:
    """Plug into guest_auth's core (guest_auth._integrations); called by
    guest_auth's AppConfig.ready() when rest_framework is installed.

    Adds what ``manage.py guest_access`` reads of DRF's permission classes,
    and, with drf-spectacular installed, the OpenAPI extensions of the
    authentication classes (drf-spectacular finds them only once imported; a
    site may use GuestTokenAuthentication on its own views only).
    """
    from django.apps import apps

    from guest_auth import _integrations

    from ._audit import permission_gates

    _integrations.add(_integrations.Integration(name=__name__, class_gates=permission_gates))
    if apps.is_installed("drf_spectacular"):
        from . import _schema  # noqa: F401
