from django.apps import AppConfig


class MergeAppConfig(AppConfig):
    name = "tests.mergeapp"
    label = "mergeapp"
    default_auto_field = "django.db.models.BigAutoField"
