"""A fresh startproject site, set up as docs/howto/testing.md says, runs a
hundred and fifty guest-creating tests in a row with pytest and with Django's
TestCase (more than guest_auth's default limit of 100 an hour per IP).

Each run is a subprocess in a temporary directory with the site's own
settings (SQLite, the default in-process cache, guest_auth's default rate
limits).
"""

import os
import re
import subprocess
import sys
import textwrap

import pytest

VIEWS = """
from django.http import HttpResponse

from guest_auth.decorators import allow_guest


@allow_guest
def cart(request):
    return HttpResponse(f"Cart of {request.user.pk}")
"""

PYTEST_TESTS = """
import pytest

from guest_auth.services import is_guest

pytestmark = pytest.mark.django_db  # guests are database rows


def test_a_visitor_gets_a_guest(client):
    response = client.get("/cart/")
    assert response.status_code == 200
    assert is_guest(response.wsgi_request.user)


def test_the_guest_sees_its_cart(guest_client, guest_user):
    response = guest_client.get("/cart/")
    assert response.text == f"Cart of {guest_user.pk}"


@pytest.mark.parametrize("n", range(150))
def test_visitor(client, n):
    response = client.get("/cart/")
    assert response.status_code == 200
    assert is_guest(response.wsgi_request.user)
"""

TESTCASE_TESTS = """
from django.test import TestCase

from guest_auth.services import is_guest
from guest_auth.testing import GuestTestMixin


class CartTests(GuestTestMixin, TestCase):
    def test_a_visitor_gets_a_guest(self):
        response = self.client.get("/cart/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(is_guest(response.wsgi_request.user))

    def test_the_guest_sees_its_cart(self):
        guest = self.log_in_guest()          # a new guest, logged in on self.client
        response = self.client.get("/cart/")
        self.assertEqual(response.text, f"Cart of {guest.pk}")


class ManyVisitors(GuestTestMixin, TestCase):
    pass


def _visit(self):
    response = self.client.get("/cart/")
    self.assertEqual(response.status_code, 200)
    self.assertTrue(is_guest(response.wsgi_request.user))


for n in range(150):
    setattr(ManyVisitors, f"test_visitor_{n:03}", _visit)
"""


def run(args, cwd, **kwargs):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUEST_AUTH_", "PYTEST_"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    assert run(["-m", "django", "startproject", "mysite", str(root)], root).returncode == 0
    assert run(["manage.py", "startapp", "shop"], root).returncode == 0
    settings = root / "mysite" / "settings.py"
    text = settings.read_text()
    text, apps = re.subn(
        r"""(["']django\.contrib\.staticfiles["'],)""", r'\1\n    "guest_auth",\n    "shop",', text
    )
    text, middleware = re.subn(
        r"""(["']django\.contrib\.auth\.middleware\.AuthenticationMiddleware["'],)""",
        r'\1\n    "guest_auth.middleware.GuestMiddleware",',
        text,
    )
    assert (apps, middleware) == (1, 1)
    settings.write_text(text)
    urls = root / "mysite" / "urls.py"
    text = urls.read_text().replace(
        "from django.urls import path", "from django.urls import include, path"
    )
    text = text.replace(
        "urlpatterns = [",
        'from shop import views\n\nurlpatterns = [\n    path("guest/", include("guest_auth.urls")),'
        '\n    path("cart/", views.cart),',
    )
    urls.write_text(text)
    (root / "shop" / "views.py").write_text(textwrap.dedent(VIEWS))
    (root / "shop" / "tests.py").write_text(textwrap.dedent(TESTCASE_TESTS))
    (root / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = mysite.settings\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_cart.py").write_text(textwrap.dedent(PYTEST_TESTS))
    return root


def test_pytest_runs_a_hundred_guest_creating_tests(site):
    done = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "152 passed" in done.stdout


def test_without_the_plugin_the_101st_guest_is_refused(site):
    # The control: what the plugin prevents (guest_auth's default 100/h per IP).
    done = run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:guest_auth", "-k", "visitor"],
        site,
    )
    assert "51 failed, 100 passed" in done.stdout, done.stdout + done.stderr
    assert "assert 429 == 200" in done.stdout


def test_testcase_runs_a_hundred_guest_creating_tests(site):
    done = run(["manage.py", "test", "shop"], site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ran 152 tests" in done.stderr
    assert "\nOK\n" in done.stderr
