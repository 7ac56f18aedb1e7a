"""The promotion form: Django's user creation form for the active user model."""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm, UsernameField
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables

from ._names import name_fields, name_taken

__all__ = ["PromoteForm", "promote_form_class"]


class PromoteForm(BaseUserCreationForm):
    """USERNAME_FIELD, ``email`` when the model has one, ``password1``, ``password2``.

    Validation is Django's: password match, AUTH_PASSWORD_VALIDATORS, the
    model's own clean() (which normalises the username and email) and unique
    checks, which here ignore case (``str.casefold()``, see guest_auth._names)
    for the username and the email. The form
    never touches the guest: it validates a fresh instance, and
    :meth:`promotion_fields` hands the cleaned values to promote_guest().
    """

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm API the stubs omit
        model = self._meta.model
        for name in self._meta.fields or ():
            value = getattr(self.instance, name, None)
            if name in self.errors or not isinstance(value, str) or not value:
                continue
            if name in name_fields(model) and name_taken(
                model, name, value, using=router.db_for_write(model)
            ):
                self.add_error(
                    name, ValidationError(self.instance.unique_error_message(model, [name]))
                )

    @method_decorator(sensitive_variables("values"))
    def promotion_fields(self) -> dict[str, Any]:
        """Keyword arguments for promote_guest(): the fields plus ``password``."""
        values = {name: getattr(self.instance, name) for name in self._meta.fields or ()}
        values["password"] = self.cleaned_data["password1"]
        return values


@cache
def _form_class_for(user_model: type[models.Model]) -> type[PromoteForm]:
    username_field = user_model.USERNAME_FIELD  # type: ignore[attr-defined]
    fields = [username_field]
    email_field = user_model.get_email_field_name()  # type: ignore[attr-defined]
    if email_field != username_field and _has_field(user_model, email_field):
        fields.append(email_field)
    field_classes: dict[str, type[forms.Field]] = {}
    if not isinstance(user_model._meta.get_field(username_field), models.EmailField):
        field_classes[username_field] = UsernameField
    meta = type("Meta", (), {"model": user_model, "fields": fields, "field_classes": field_classes})
    return type(f"{user_model.__name__}PromoteForm", (PromoteForm,), {"Meta": meta})


def promote_form_class() -> type[PromoteForm]:
    """The PromoteForm subclass for the active user model."""
    return _form_class_for(get_user_model())


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
