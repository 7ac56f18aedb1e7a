"""The adapter: the one place a site overrides guest_auth's decisions.

Subclass :class:`GuestAdapter`, override what you need and name your class in
``GUEST_AUTH_ADAPTER``. Reach the configured instance through :func:`get_adapter`.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpResponse, JsonResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string

from .conf import guest_settings
from .exceptions import RateLimited

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ._merge import MergeSummary
    from .forms import PromoteForm

__all__ = ["GuestAdapter", "get_adapter"]


_RATE_LIMITED_TEMPLATE = "guest_auth/rate_limited.html"
# In this order on ties: */* (or no Accept header) gets JSON.
_RATE_LIMITED_TYPES = ["application/json", "text/html", "text/plain"]


def _can_render(template_name: str) -> bool:
    """Whether a configured template engine has ``template_name`` (none on API-only sites)."""
    try:
        get_template(template_name)
    except TemplateDoesNotExist:
        return False
    return True


class GuestAdapter:
    """Default decisions. Every method may be overridden in a subclass."""

    def is_bot(self, request: HttpRequest) -> bool:
        """Whether the request comes from a crawler (GUEST_AUTH_BLOCKED_USER_AGENTS)."""
        pattern = guest_settings.BLOCKED_USER_AGENTS
        if pattern is None:
            return False
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        if len(user_agent) > _MAX_CACHED_USER_AGENT:
            return pattern.search(user_agent) is not None
        return _search_cached(pattern, user_agent)

    def allow_guest_creation(self, request: HttpRequest) -> bool:
        """Whether a guest may be created for this anonymous request.

        Override to add a CAPTCHA or any other proof; call super() to keep the
        bot filter and the GUEST_AUTH_ENABLED switch. Rate limits are counted
        after this returns True, so refused requests do not use up the budget.
        """
        return guest_settings.ENABLED and not self.is_bot(request)

    def rate_limited_response(self, request: HttpRequest, exc: RateLimited) -> HttpResponse:
        """The 429 answer when guest creation is over a rate limit, with Retry-After.

        Negotiated so that it cannot fail: JSON (``detail``, ``retry_after``)
        for API clients and clients that accept anything (``*/*``, no Accept
        header: curl, mobile HTTP clients); HTML from the template
        ``guest_auth/rate_limited.html`` (context: ``retry_after`` in seconds
        and ``retry_after_minutes``) only when the client prefers HTML and a
        template engine has the template; plain text otherwise.
        """
        preferred = request.get_preferred_type(_RATE_LIMITED_TYPES)
        response: HttpResponse
        if preferred == "text/html" and _can_render(_RATE_LIMITED_TEMPLATE):
            response = TemplateResponse(
                request,
                _RATE_LIMITED_TEMPLATE,
                {
                    "retry_after": exc.retry_after,
                    "retry_after_minutes": math.ceil(exc.retry_after / 60),
                },
                status=429,
            )
        elif preferred == "application/json":
            response = JsonResponse(
                {"detail": str(exc), "retry_after": exc.retry_after}, status=429
            )
        else:
            response = HttpResponse(str(exc), status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(exc.retry_after)
        return response

    def guest_username(self, request: HttpRequest) -> Any:
        """The USERNAME_FIELD value of a new guest.

        Random for text fields. An email USERNAME_FIELD gets None (guests have
        no invented email), which needs the field to be nullable: the system
        check guest_auth.E004 says so at startup.
        """
        field = _username_field()
        if isinstance(field, models.EmailField):
            return None
        name = f"guest_{secrets.token_hex(10)}"
        return name[: field.max_length] if field.max_length else name

    def new_guest_user(self, request: HttpRequest) -> Any:
        """An unsaved user for a new guest: no usable password, nothing invented.

        set_unusable_password() stores a random marker without running a
        password hasher, so guest creation stays cheap.
        """
        user_model = get_user_model()
        user = user_model(**{user_model.USERNAME_FIELD: self.guest_username(request)})
        user.set_unusable_password()
        return user

    def get_promote_form_class(self, request: HttpRequest) -> type[PromoteForm]:
        """The form the promote view shows; see guest_auth.forms.promote_form_class."""
        from .forms import promote_form_class

        return promote_form_class()

    def merge(self, request: HttpRequest, guest: Any, user: Any) -> MergeSummary | None:
        """Merge the guest into the user its session just logged into.

        Called inside a transaction (shared with the guest_merged receivers):
        raise to undo everything, the login still succeeds. Only called when a
        merge is allowed (``user`` is an active regular user other than the
        guest). The default is ``services.merge_guest(guest, user)``, which sends
        guest_merged with this request; override to replace the whole step
        (guest_merged is then sent after this method returns).
        """
        from ._merge import merge_guest

        return merge_guest(guest, user)

    #: Views (dotted paths of classes, subclasses included, or functions) whose
    #: logins checked no credential the visitor typed: they never merge at once.
    #: Django's reset-confirm page logs in with ``post_reset_login``; a reset
    #: link can be one someone else requested and sent.
    credential_less_views: tuple[str, ...] = ("django.contrib.auth.views.PasswordResetConfirmView",)
    #: Authentication backends (dotted paths) that log in from a link or token
    #: someone may have sent the visitor (magic links): not a credential of theirs.
    credential_less_backends: tuple[str, ...] = ("sesame.backends.ModelBackend",)

    def login_merge_action(self, request: HttpRequest, guest: Any, user: Any) -> str:
        """What a login of the guest's browser into ``user`` does with the guest.

        ``"merge"``: merge the guest into the account now (``merge()``).
        ``"confirm"``: keep the guest, and offer the merge on the
        ``guest_auth:merge`` page and ``api/guest/merge/`` (with a dry-run
        summary) until the visitor confirms or declines. ``"keep"``: keep the
        guest apart; logging out of the account brings the browser back to it.

        The default merges only logins that checked a credential the visitor
        typed into this session: a password through ``authenticate()``, a
        social login (see ``services.login_checked_credential``). Logins by a
        link or code someone may have sent them (password-reset login, login
        by code, magic links, ``force_login``) keep the guest: merging would
        hand the visitor's data to whoever owns the account.
        """
        from ._proofs import proof_checked

        checked = proof_checked(
            request, user, self.credential_less_views, self.credential_less_backends
        )
        return "merge" if checked else "keep"

    def is_verified(self, request: HttpRequest | None, user: Any) -> bool:
        """The ``is_verified`` claim the REST API reports for a logged-in user.

        By default regular users are verified and guests are not; when
        django-allauth is the site's signup, a regular user is verified once
        it has a verified email address (allauth's EmailAddress). Override
        when accounts have another notion.
        """
        from ._session import is_guest
        from ._signup import allauth_is_signup, has_verified_email

        if is_guest(user):
            return False
        return has_verified_email(user) if allauth_is_signup() else True

    #: Models (labels) a guest's data export leaves out: their rows are secrets
    #: (API tokens of other apps, issued JWTs, OAuth grants).
    export_excluded_models: tuple[str, ...] = (
        "authtoken.Token",
        "knox.AuthToken",
        "token_blacklist.OutstandingToken",
        "oauth2_provider.AccessToken",
        "oauth2_provider.RefreshToken",
        "oauth2_provider.IDToken",
        "oauth2_provider.Grant",
    )
    #: Fields (label -> names) the export leaves out beyond those
    #: ``export_secret_names`` matches: allauth's authenticator data (a TOTP
    #: secret, recovery-code seed), allauth's user sessions' keys and data.
    export_excluded_fields: Mapping[str, tuple[str, ...]] = MappingProxyType(
        {
            "mfa.Authenticator": ("data",),
            "usersessions.UserSession": ("session_key", "data"),
            "guest_auth.Guest": ("race_key",),
        }
    )
    #: Field names (a regular expression, searched case-insensitively) that the
    #: export never shows, in any model: password hashes, tokens, secrets, keys.
    export_secret_names = (
        r"password|passwd|secret|token|digest|hash|salt|session_key|session_data|(^|_)key$"
    )

    def export_fields(
        self, request: HttpRequest | None, model: type[models.Model]
    ) -> Sequence[str] | None:
        """The fields of ``model`` a guest's data export shows for each row, or
        None to leave the model out.

        ``model`` is the user model, guest_auth's Guest, or a model with a
        foreign key, one-to-one or generic foreign key to the user model (the
        merge's discovery). The default: every concrete field except those of
        ``export_excluded_fields`` and those whose name ``export_secret_names``
        matches; None for ``export_excluded_models``. Override to leave out
        more (call super() to keep the secrets out).
        """
        label = model._meta.label
        if label in self.export_excluded_models:
            return None
        secret = re.compile(self.export_secret_names, re.IGNORECASE)
        excluded = self.export_excluded_fields.get(label, ())
        return [
            field.name
            for field in model._meta.concrete_fields
            if field.name not in excluded and not secret.search(field.name)
        ]

    def export_extra(self, request: HttpRequest | None, guest: Any) -> Mapping[str, Any]:
        """Derived data the export adds under ``"extra"`` (JSON-serialisable
        values; dates, decimals and UUIDs become strings). Default: none."""
        return {}


# Searching a User-Agent case-insensitively for every blocked pattern takes
# tens of microseconds; a site sees the same browsers' strings over and over.
# The compiled pattern is part of the key, so a settings change starts afresh;
# long strings are not kept, so the cache stays small whatever clients send.
_MAX_CACHED_USER_AGENT = 512


@lru_cache(maxsize=1024)
def _search_cached(pattern: re.Pattern[str], user_agent: str) -> bool:
    return pattern.search(user_agent) is not None


def _username_field() -> models.Field:
    user_model = get_user_model()
    field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    assert isinstance(field, models.Field)
    return field


@lru_cache(maxsize=8)
def _load_adapter(path: str) -> GuestAdapter:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"GUEST_AUTH_ADAPTER {path!r} cannot be imported: {exc}"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, GuestAdapter)):
        raise ImproperlyConfigured(
            f"GUEST_AUTH_ADAPTER {path!r} must name a subclass of guest_auth.adapter.GuestAdapter."
        )
    return cls()


def get_adapter() -> GuestAdapter:
    """The configured adapter instance (one per dotted path, created once)."""
    return _load_adapter(guest_settings.ADAPTER)
