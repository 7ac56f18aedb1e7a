"""WSGI entry point of the benchmark site (gunicorn benchmarks.site.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.site.settings")

application = get_wsgi_application()
