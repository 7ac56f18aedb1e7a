from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

__all__ = ["GuestAuthConfig"]


class GuestAuthConfig(AppConfig):
    name = "guest_auth"
    label = "guest_auth"
    verbose_name = _("Guests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import pre_save

        from . import checks  # noqa: F401  (registers the system checks)
        from ._login import on_login, on_logout
        from ._session import refuse_staff_guest
        from .conf import guest_settings

        # Fail at startup, naming the setting, rather than on some later request.
        guest_settings.validate()
        user_logged_in.connect(on_login, dispatch_uid="guest_auth.on_login")
        user_logged_out.connect(on_logout, dispatch_uid="guest_auth.on_logout")
        pre_save.connect(
            refuse_staff_guest, sender=get_user_model(), dispatch_uid="guest_auth.no_staff_guests"
        )
        # The user admin may be registered after our admin module was imported
        # (apps listed after guest_auth); by now admin autodiscovery is done when
        # django.contrib.admin is listed before guest_auth, the usual order.
        if apps.is_installed("django.contrib.admin"):
            from .admin import add_guest_filter_to_user_admin

            add_guest_filter_to_user_admin()
        # drf-spectacular finds OpenAPI extensions only once they are imported;
        # the API's views import them too, but a site may use
        # GuestTokenAuthentication on its own views only.
        if apps.is_installed("rest_framework") and apps.is_installed("drf_spectacular"):
            from .contrib.rest_framework import _schema  # noqa: F401
