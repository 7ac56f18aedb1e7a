import importlib.util
import os

import pytest

from tests.factories import GuestFactory, UserFactory

# tox's py311-noextras environment: neither djangorestframework nor
# django-allauth nor Celery nor a tasks framework is installed.
collect_ignore_glob = [
    # django-ipware is in the test extra, not in tox's noextras environment.
    *([] if importlib.util.find_spec("ipware") else ["test_ipware.py"]),
    *(["test_rest_framework_*.py"] if os.environ.get("GUEST_AUTH_TEST_WITHOUT_DRF") else []),
    *(["test_allauth_*.py"] if os.environ.get("GUEST_AUTH_TEST_WITHOUT_ALLAUTH") else []),
    # The path x rule matrix drives DRF, simplejwt and allauth's headless API.
    *(
        ["test_gate_matrix.py"]
        if os.environ.get("GUEST_AUTH_TEST_WITHOUT_DRF")
        or os.environ.get("GUEST_AUTH_TEST_WITHOUT_ALLAUTH")
        else []
    ),
    *(["test_celery*.py"] if os.environ.get("GUEST_AUTH_TEST_WITHOUT_CELERY") else []),
    *(
        ["test_tasks.py", "taskbackends.py"]
        if os.environ.get("GUEST_AUTH_TEST_WITHOUT_TASKS")
        else []
    ),
]
# The configuration matrix chooses its own databases and user model: it runs
# once, in the default run (SQLite, auth.User, every optional dependency), or
# wherever GUEST_AUTH_TEST_CONFIGS=1; GUEST_AUTH_TEST_CONFIGS=0 leaves it out.
_configs = os.environ.get("GUEST_AUTH_TEST_CONFIGS")
if _configs == "0" or (
    _configs != "1"
    and (
        os.environ.get("GUEST_AUTH_TEST_USER_MODEL", "auth.User") != "auth.User"
        or any(
            os.environ.get(name)
            for name in (
                "GUEST_AUTH_TEST_DATABASE_URL",
                "GUEST_AUTH_TEST_WITHOUT_DRF",
                "GUEST_AUTH_TEST_WITHOUT_ALLAUTH",
            )
        )
    )
):
    collect_ignore_glob.append("test_configurations.py")

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


# What tests/test_allauth_*.py run with: django-allauth as the site's signup.
ALLAUTH_SIGNUP = {
    "ACCOUNT_ADAPTER": "guest_auth.contrib.allauth.GuestAccountAdapter",
    "SOCIALACCOUNT_ADAPTER": "guest_auth.contrib.allauth.GuestSocialAccountAdapter",
}


@pytest.fixture(autouse=True)
def _allauth_signup(request):
    """django-allauth is the signup in the allauth tests only (see tests/settings.py)."""
    if not request.module.__name__.startswith("tests.test_allauth_"):
        yield
        return
    from django.test import override_settings

    with override_settings(**ALLAUTH_SIGNUP):
        yield


@pytest.fixture
def client(client):
    """Django's test client, sending a browser User-Agent like real visitors."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client


@pytest.fixture
def async_client(async_client):
    async_client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return async_client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def guest(db):
    return GuestFactory().user


@pytest.fixture
def make_client(db):
    """Makes more independent browser-like clients."""
    from django.test import Client

    return lambda: Client(HTTP_USER_AGENT=BROWSER_UA)


def pytest_sessionfinish(session, exitstatus):
    """With GUEST_AUTH_FAIL_ON_SKIP set (CI's database runs), a skip fails the run."""
    if not os.environ.get("GUEST_AUTH_FAIL_ON_SKIP") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"GUEST_AUTH_FAIL_ON_SKIP: {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = 1
