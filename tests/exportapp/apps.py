from django.apps import AppConfig


class ExportAppConfig(AppConfig):
    name = "tests.exportapp"
    label = "exportapp"
    default_auto_field = "django.db.models.BigAutoField"
