from django.apps import AppConfig


class PerfAppConfig(AppConfig):
    """Views for the query-count tests: plain-Django baselines beside guest views."""

    name = "tests.perfapp"
    label = "perfapp"
