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
        # The one place that names guest_auth's integrations: each registers
        # what it adds with the core (guest_auth._integrations), and only when
        # its framework is installed.
        if apps.is_installed("allauth.account"):
            from .contrib import allauth

            allauth.register()
        if apps.is_installed("rest_framework"):
            from .contrib import rest_framework

            rest_framework.register()
