"""factory-boy factories for a site's tests: ``pip install django-guest-auth[testing]``.

``UserFactory`` makes regular users and ``GuestFactory`` guests, both of the
site's user model (``AUTH_USER_MODEL``), guests made by the site's adapter::

    from guest_auth.testing.factories import GuestFactory, UserFactory

    user = UserFactory()                     # password: DEFAULT_PASSWORD
    guest = GuestFactory().user              # a guest seen just now
    GuestFactory(idle_days=10)               # last seen (and created) 10 days ago
    GuestFactory(purgeable=True)             # idle longer than GUEST_AUTH_MAX_INACTIVITY
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

try:
    import factory
    from factory.django import DjangoModelFactory
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "guest_auth.testing.factories needs factory-boy: pip install 'django-guest-auth[testing]'."
    ) from exc

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from ..adapter import get_adapter
from ..conf import guest_settings
from ..models import Guest

__all__ = ["DEFAULT_PASSWORD", "GuestFactory", "GuestUserFactory", "UserFactory", "username_for"]

#: The password UserFactory gives users unless told otherwise.
DEFAULT_PASSWORD = "Str0ng-Pass-7731"


def username_for(n: int) -> str:
    """The USERNAME_FIELD value of the ``n``-th UserFactory user: ``user<n>``,
    or ``user<n>@example.com`` when USERNAME_FIELD is an email."""
    if _is_email(get_user_model().USERNAME_FIELD):
        return f"user{n}@example.com"
    return f"user{n}"


class UserFactory(DjangoModelFactory):
    """A regular user: ``username_for(n)`` as its USERNAME_FIELD, an email
    ``user<n>@example.com`` when the model has a separate email field, and
    ``password`` (default DEFAULT_PASSWORD) hashed by the site's hashers."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    n = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        n = kwargs.pop("n")
        kwargs.setdefault(model_class.USERNAME_FIELD, username_for(n))
        email_field = model_class.get_email_field_name()
        if email_field != model_class.USERNAME_FIELD and _has_field(model_class, email_field):
            kwargs.setdefault(email_field, f"user{n}@example.com")
        password = kwargs.pop("password", DEFAULT_PASSWORD)
        user = model_class(**kwargs)
        user.set_password(password)
        user.save()
        return user


class GuestUserFactory(DjangoModelFactory):
    """The user row of a guest, made by the adapter as ``create_guest()`` makes
    it; keyword arguments are set on it. Without a Guest row it is no guest:
    use GuestFactory."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        user = get_adapter().new_guest_user(None)  # type: ignore[arg-type]  # no request
        for name, value in kwargs.items():
            setattr(user, name, value)
        user.save()
        return user


class GuestFactory(DjangoModelFactory):
    """A Guest row and its user (``GuestFactory().user``).

    ``idle_days=N``: last seen N days ago. ``purgeable=True``: last seen a day
    longer ago than GUEST_AUTH_MAX_INACTIVITY, so ``purge_guests`` takes it.
    ``created_at`` defaults to ``last_seen_at``; pass either to set it.
    """

    class Meta:
        model = Guest

    class Params:
        idle_days = 0
        purgeable = factory.Trait(
            last_seen_at=factory.LazyFunction(
                lambda: timezone.now() - guest_settings.MAX_INACTIVITY - timedelta(days=1)
            )
        )

    user = factory.SubFactory(GuestUserFactory)
    last_seen_at = factory.LazyAttribute(
        lambda guest: timezone.now() - timedelta(days=guest.idle_days)
    )
    created_at = factory.SelfAttribute("last_seen_at")


def _is_email(field_name: str) -> bool:
    from django.db import models

    return isinstance(get_user_model()._meta.get_field(field_name), models.EmailField)


def _has_field(model: Any, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
