import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """guest_auth counts guest creations per IP in the cache: start every test at zero."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo keeps Django's slow default hasher; its tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
