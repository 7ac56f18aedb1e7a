import pytest

from tests.helpers.clients import ALLAUTH_SIGNUP


@pytest.fixture(autouse=True)
def _allauth_signup():
    """django-allauth is the site's signup here (tests/settings.py installs it without
    making it the signup, so the core's own promote page is tested elsewhere)."""
    from django.test import override_settings

    with override_settings(**ALLAUTH_SIGNUP):
        yield
