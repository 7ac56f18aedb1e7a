"""djangorestframework, django-allauth and django-ipware are optional: only
guest_auth.contrib imports them.

tox's py311-noextras environment runs the core suite without them installed
(GUEST_AUTH_TEST_WITHOUT_DRF and GUEST_AUTH_TEST_WITHOUT_ALLAUTH set); these
tests run in every environment.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports every guest_auth module outside contrib, runs the system checks and
# resolves the URLs, then lists the optional frameworks' modules that got imported.
SCRIPT = """
import importlib, pkgutil, sys
import django
django.setup()
import guest_auth
from django.core.management import call_command
from django.urls import reverse
for module in pkgutil.walk_packages(guest_auth.__path__, "guest_auth."):
    if not module.name.startswith("guest_auth.contrib."):
        importlib.import_module(module.name)
call_command("check", fail_level="ERROR", verbosity=0)
reverse("guest_auth:promote")
print(sorted(name for name in sys.modules
             if name.split(".")[0] in
             ("rest_framework", "drf_spectacular", "allauth", "ipware", "python_ipware", "celery",
              "rest_framework_simplejwt", "jwt")))
"""


def test_the_core_never_imports_rest_framework_or_allauth():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "GUEST_AUTH_TEST_WITHOUT_DRF": "1",
        "GUEST_AUTH_TEST_WITHOUT_ALLAUTH": "1",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_nodrf_environment_really_has_no_rest_framework():
    without = bool(os.environ.get("GUEST_AUTH_TEST_WITHOUT_DRF"))
    assert (importlib.util.find_spec("rest_framework") is None) == without


def test_noextras_environment_really_has_no_allauth():
    without = bool(os.environ.get("GUEST_AUTH_TEST_WITHOUT_ALLAUTH"))
    assert (importlib.util.find_spec("allauth") is None) == without


TASKS_MISSING = """
import sys
sys.modules["django.tasks"] = None  # neither Django 6.0's tasks framework
sys.modules["django_tasks"] = None  # nor the backport
import django
django.setup()
import guest_auth.tasks  # importable all the same (Celery's autodiscovery imports it)
try:
    from guest_auth.tasks import purge_guests
except ImportError as exc:
    print(exc)
"""


def test_guest_auth_tasks_without_a_tasks_framework_says_what_to_install():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    env["GUEST_AUTH_TEST_WITHOUT_TASKS"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", TASKS_MISSING],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "guest_auth.tasks needs Django's tasks framework: Django 6.0 or later, or on "
        "Django 5.2 the django-tasks backport (pip install 'django-guest-auth[tasks]')."
    )
