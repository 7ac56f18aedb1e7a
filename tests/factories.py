import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from guest_auth.adapter import get_adapter
from guest_auth.models import Guest

PASSWORD = "Str0ng-Pass-7731"


def username_for(n: int) -> str:
    if get_user_model().USERNAME_FIELD == "email":
        return f"user{n}@example.com"
    return f"user{n}"


class UserFactory(DjangoModelFactory):
    """A regular user of the active user model, with password PASSWORD."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    n = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.setdefault(model_class.USERNAME_FIELD, username_for(kwargs.pop("n")))
        password = kwargs.pop("password", PASSWORD)
        user = model_class(**kwargs)
        user.set_password(password)
        user.save()
        return user


class GuestUserFactory(DjangoModelFactory):
    """The user row of a guest, built by the adapter as create_guest() does."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = get_adapter().new_guest_user(None)
        for name, value in kwargs.items():
            setattr(user, name, value)
        user.save()
        return user


class GuestFactory(DjangoModelFactory):
    class Meta:
        model = Guest

    user = factory.SubFactory(GuestUserFactory)
    last_seen_at = factory.LazyFunction(timezone.now)
    created_at = factory.SelfAttribute("last_seen_at")
