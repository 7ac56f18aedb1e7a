"""The Celery app of the tests: set up as docs/howto/scheduled-purge.md says."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

app = Celery("guest_auth_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["guest_auth.contrib.celery"])
