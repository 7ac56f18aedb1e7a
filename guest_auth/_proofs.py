"""Did a login check a proof the visitor typed into this session?

A *proof* is what a login checked (a password, a provider's login); guest_auth's
*credentials* are something else, the device secrets of the REST API
(``DeviceCredential``). Public names keep the word the docs use
(``services.login_checked_credential``, ``GuestAdapter.credential_less_views``).

Merging a guest into the account a browser just logged into hands the
guest's data to whoever owns that account. That is right when the visitor
proved the account is theirs here and now (a password, a provider's login),
and wrong for a login by a link or code someone else may have requested and
passed on (a password-reset link, a login code, a magic link), or one no
credential was checked for (``force_login``, ``login()`` of a user loaded by
hand). GuestAdapter.login_merge_action() asks this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from . import _state as state

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["proof_checked"]


def proof_checked(
    request: HttpRequest,
    user: Any,
    credential_less_views: Iterable[str],
    credential_less_backends: Iterable[str],
) -> bool:
    """In order: what an integration recorded (RequestState.credential_checked,
    set by one that knows how its login authenticated: guest_auth.contrib.allauth,
    from allauth's record of the session's authentication methods); False on a
    view of ``credential_less_views`` (dotted paths; Django's reset-confirm page
    logs in with post_reset_login); otherwise True only for a user that
    django.contrib.auth.authenticate() returned (it sets ``user.backend``, and
    only once a backend accepted the credentials) through a backend not in
    ``credential_less_backends`` (magic-link backends such as django-sesame's).
    """
    request_state = state.peek(request)
    marked = request_state.credential_checked if request_state is not None else None
    if marked is not None:
        return bool(marked)
    match = getattr(request, "resolver_match", None)
    if match is not None and _is_one_of(match.func, tuple(credential_less_views)):
        return False
    backend = getattr(user, "backend", None)
    return isinstance(backend, str) and backend not in tuple(credential_less_backends)


def _is_one_of(view_func: Any, paths: tuple[str, ...]) -> bool:
    view_class = getattr(view_func, "view_class", None)
    for target in _imported(paths):
        is_subclass = (
            isinstance(target, type)
            and isinstance(view_class, type)
            and issubclass(view_class, target)
        )
        if view_func is target or is_subclass:
            return True
    return False


@lru_cache(maxsize=16)
def _imported(paths: tuple[str, ...]) -> tuple[Any, ...]:
    found = []
    for path in paths:
        with contextlib.suppress(ImportError):
            found.append(import_string(path))
    return tuple(found)
