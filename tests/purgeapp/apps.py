from django.apps import AppConfig


class PurgeAppConfig(AppConfig):
    name = "tests.purgeapp"
    label = "purgeapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401
