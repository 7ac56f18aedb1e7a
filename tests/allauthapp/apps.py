from django.apps import AppConfig


class AllauthAppConfig(AppConfig):
    name = "tests.allauthapp"
    label = "allauthapp"
    default_auto_field = "django.db.models.BigAutoField"
