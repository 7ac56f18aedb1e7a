"""The guest API: create a guest, log it in again with its device credential,
read its claims, promote it. Thin views over guest_auth.services.

Bodies are JSON only: a cross-site HTML form cannot post JSON, so the create
and login endpoints, which need no CSRF token from anonymous clients, cannot
be used to log a visitor's browser into someone else's guest. Requests
authenticated by session keep DRF's CSRF check; token-authenticated ones need
none.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from guest_auth import _state as state
from guest_auth._export import GuestGone, export_guest, export_response, rate_limited_detail
from guest_auth._login import (
    KEPT_GUEST_SESSION_KEY,
    PENDING_MERGE_SESSION_KEY,
    merge_into,
    pending_merge,
)
from guest_auth._merge import merge_guest
from guest_auth._promote import promote_guest
from guest_auth._purge.purge import delete_guest
from guest_auth._ratelimit import check_export_rate
from guest_auth._session import is_guest, session_user_id
from guest_auth._signup import allauth_is_signup
from guest_auth._tokens import (
    create_api_guest,
    credentials_of,
    login_with_device_credential,
    revoke_credential,
    revoke_request_token,
)
from guest_auth.adapter import get_adapter
from guest_auth.conf import guest_settings
from guest_auth.exceptions import (
    AlreadyAuthenticated,
    GuestCreationDenied,
    GuestProtected,
    NotAGuest,
    RateLimited,
    RateLimitUnavailable,
)

from ._parsers import GuestJSONParser, check_body_size, check_json
from ._schema import BAD_REQUEST, EXPORT, EXPORT_RETRY_AFTER, RETRY_AFTER, document, response
from ._serializers import (
    PASSWORD_FIELDS,
    GuestCreateRequestSerializer,
    GuestCredentialSerializer,
    GuestErrorSerializer,
    GuestLoginRequestSerializer,
    GuestLoginSerializer,
    GuestMergeRequestSerializer,
    GuestMergeSerializer,
    GuestProtectedSerializer,
    GuestRateLimitedSerializer,
    GuestUserInfoSerializer,
    form_errors,
    promote_request_serializer,
)
from .authentication import GuestTokenAuthentication
from .permissions import IsGuest

__all__ = [
    "GuestCreateView",
    "GuestCredentialView",
    "GuestCredentialsView",
    "GuestExportView",
    "GuestLoginView",
    "GuestLogoutView",
    "GuestMeView",
    "GuestMergeView",
    "GuestPromoteView",
]

_TAGS = ["guest"]
_CSRF = " (also a session-authenticated request without a valid CSRF token)"
_CREATE_BODY = {
    "type": "object",
    "description": "Any JSON object, `{}` for instance; its members are ignored. Required "
    "(with Content-Type application/json), so that a cross-site form cannot create a guest.",
}
_NO_BODY = _("A JSON object is required, such as {}.")
_TOO_LARGE = "The body is larger than 64 KiB (or DATA_UPLOAD_MAX_MEMORY_SIZE)."
_NOT_JSON = (
    "The Content-Type is not application/json (also for an empty body: a cross-site "
    "form cannot send JSON)."
)
_ALLAUTH_SIGNUP = _(
    "Sign up through the site's django-allauth signup, which verifies the email address."
)


class _AlreadyAuthenticated(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("You are already logged in.")
    default_code = "already_authenticated"


class _GuestAPIView(APIView):
    # _access.OPT_IN: guests reach these endpoints with GUEST_AUTH_GUEST_ACCESS = "opt-in".
    guest_auth_opt_in = True
    # Fixed rather than the site's defaults, so the endpoints and their schema
    # behave the same on every site: the token first, so that an anonymous
    # request gets 401 with WWW-Authenticate rather than 403.
    authentication_classes = [GuestTokenAuthentication, SessionAuthentication]
    parser_classes = [GuestJSONParser]
    renderer_classes = [JSONRenderer]
    # Whether POST takes a JSON body (size-checked, and 415 unless JSON); a
    # view that never reads one (logout) leaves it unread.
    takes_body = True

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # Token clients are anonymous to Django's LoginRequiredMiddleware: the
        # permission classes decide (DRF before 3.16 does not mark its views).
        return login_not_required(super().as_view(**initkwargs))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Not for a method the view does not have: that is a 405.
        body = self.takes_body and request.method == "POST" and hasattr(self, "post")
        if body:
            # Before anything reads it (a session's CSRF check reads forms).
            check_body_size(request)
        super().initial(request, *args, **kwargs)
        if body:
            # After authentication (a session without its CSRF token is a 403)
            # and before the view: no guest, no rate-limit budget spent.
            check_json(request)

    def get_authenticators(self) -> list[Any]:
        authenticators = super().get_authenticators()
        if guest_settings.API_TOKENS == "jwt":
            from guest_auth.contrib.simplejwt.authentication import GuestJWTAuthentication

            jwt = GuestJWTAuthentication()
            jwt._plain_errors = True
            authenticators.insert(1, jwt)
        return authenticators


class _LogInView(_GuestAPIView):
    """Open to anonymous clients; a stale token counts as none, so a client
    whose token expired can still get in."""

    permission_classes = [AllowAny]

    def get_authenticators(self) -> list[Any]:
        authenticators = super().get_authenticators()
        for authenticator in authenticators:
            if hasattr(authenticator, "_ignore_failures"):
                # guest_auth's opaque tokens and JWTs
                authenticator._ignore_failures = True
        return authenticators


class GuestCreateView(_LogInView):
    """POST: a new guest, logged in, with its API token and device credential."""

    @document(
        body_required=True,
        operation_id="guest_create",
        summary="Create a guest and log it in",
        description=(
            "Creates a guest for a client that is not logged in, logs it in (session) and "
            "returns an API token and the device credential, both shown only this once. "
            "Refused (403) for crawlers and whatever the site's adapter refuses, and "
            "(429) over the site's guest creation rate limits."
        ),
        tags=_TAGS,
        # drf-spectacular leaves out the body of a serializer without fields.
        request={"application/json": _CREATE_BODY},
        parameters=RETRY_AFTER,
        responses={
            201: response(GuestLoginSerializer, "The new guest, logged in."),
            400: response(
                BAD_REQUEST, "The body is missing, not valid JSON, or not a JSON object."
            ),
            403: response(
                GuestErrorSerializer, "No guest may be created for this client" + _CSRF + "."
            ),
            409: response(GuestErrorSerializer, "The client is already logged in."),
            413: response(GuestErrorSerializer, _TOO_LARGE),
            415: response(GuestErrorSerializer, _NOT_JSON),
            429: response(
                GuestRateLimitedSerializer,
                "Too many guests created recently (for this client, its network or "
                "the site); nothing was created. Retry after `retry_after` seconds.",
            ),
            503: response(
                GuestRateLimitedSerializer,
                "The rate-limit cache is unavailable and the site refuses guests meanwhile "
                '(GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR = "refuse"); nothing was created. '
                "Retry after `retry_after` seconds.",
            ),
        },
    )
    @sensitive_variables("token", "credential", "body")
    def post(self, request: Request) -> Response:
        if not request.META.get("CONTENT_LENGTH"):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_NO_BODY]})
        GuestCreateRequestSerializer(data=request.data).is_valid(raise_exception=True)
        # DRF has put the authenticated user (or AnonymousUser) on the HttpRequest,
        # where create_guest refuses a logged-in one.
        try:
            user, token, credential = create_api_guest(request._request)
        except AlreadyAuthenticated:
            raise _AlreadyAuthenticated() from None
        except RateLimited as exc:
            # The web's JSON answer (GuestAdapter.rate_limited_response), but
            # JSON whatever the Accept header: the API speaks JSON only.
            body = {"detail": str(exc), "retry_after": exc.retry_after}
            return Response(
                GuestRateLimitedSerializer(body).data,
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except RateLimitUnavailable as exc:
            body = {"detail": str(exc), "retry_after": exc.retry_after}
            return Response(
                GuestRateLimitedSerializer(body).data,
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except GuestCreationDenied:
            raise PermissionDenied(_("No guest can be created for this client.")) from None
        body = _login_body(user, token, credential)
        return Response(GuestLoginSerializer(body).data, status=status.HTTP_201_CREATED)


class GuestLoginView(_LogInView):
    """POST: the guest of a device credential, logged in again, with a new token."""

    @document(
        operation_id="guest_login",
        summary="Log a guest in again with its device credential",
        description=(
            "Logs in (session) the guest the credential belongs to and returns a fresh API "
            "token. `credential` in the response is the one sent, which stays valid until "
            "the guest is promoted or purged. Every kind of bad credential (unknown, revoked, "
            "of a promoted or expired guest) gets the same 401."
        ),
        tags=_TAGS,
        request=GuestLoginRequestSerializer,
        responses={
            200: response(GuestLoginSerializer, "The guest, logged in."),
            400: response(
                BAD_REQUEST,
                "`credential` is missing or not a string, or the body is not valid JSON.",
            ),
            401: response(GuestErrorSerializer, "The credential logs nobody in."),
            403: response(
                GuestErrorSerializer, "A session-authenticated request without a valid CSRF token."
            ),
            413: response(GuestErrorSerializer, _TOO_LARGE),
            415: response(GuestErrorSerializer, _NOT_JSON),
        },
    )
    @sensitive_variables("serializer", "credential", "result", "token", "body")
    def post(self, request: Request) -> Response:
        serializer = GuestLoginRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credential = serializer.validated_data["credential"]
        result = login_with_device_credential(request._request, credential)
        if result is None:
            raise AuthenticationFailed(_("Invalid credential."))
        user, token = result
        body = _login_body(user, token, credential)
        return Response(GuestLoginSerializer(body).data)


class _Protected(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "protected"


class GuestMeView(_GuestAPIView):
    """GET: the current user's id, is_guest and is_verified. DELETE: the guest deletes itself."""

    permission_classes = [IsAuthenticated]

    @document(
        operation_id="guest_me",
        summary="The current user's claims",
        description=(
            "For any logged-in user, guest or not. `is_verified` is decided by the site's "
            "adapter; by default regular users are verified and guests are not."
        ),
        tags=_TAGS,
        responses={
            200: response(GuestUserInfoSerializer, "The logged-in user, guest or not."),
            401: response(GuestErrorSerializer, "Not logged in."),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(_user_info(request._request, request.user))

    @document(
        operation_id="guest_delete",
        summary="Delete the current guest now",
        description=(
            "Deletes the guest and everything that goes with it under the site's on_delete "
            "rules, as the purge would, and logs it out (its session, tokens and device "
            "credentials go with it). Only for guests: regular users get 403 and nothing "
            "is deleted. When rows the guest owns must stay (PROTECT or RESTRICT), nothing "
            "is deleted and the answer is 409 with `protected_by`."
        ),
        tags=_TAGS,
        responses={
            204: response(None, "The guest is gone."),
            401: response(GuestErrorSerializer, "Not logged in."),
            403: response(GuestErrorSerializer, "Not a guest" + _CSRF + "."),
            409: response(
                GuestProtectedSerializer, "Rows the guest owns must stay: nothing was deleted."
            ),
        },
    )
    def delete(self, request: Request) -> Response:
        if not is_guest(request.user):
            raise PermissionDenied(IsGuest.message)
        try:
            delete_guest(request._request, request.user)
        except GuestProtected as exc:
            body = {"detail": str(exc), "protected_by": [*exc.protected_by]}
            raise _Protected(body) from None
        except NotAGuest:
            # Promoted by a concurrent request meanwhile: it stays.
            raise PermissionDenied(IsGuest.message) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuestExportView(_GuestAPIView):
    """GET: the current guest's data, as a JSON download (services.export_guest)."""

    permission_classes = [IsAuthenticated]

    @document(
        operation_id="guest_export",
        summary="Download the current guest's data",
        description=(
            "Every row of the site that references the guest (found as the merge finds them), "
            "grouped by model label, with each row's fields as the site's adapter chooses; "
            "secrets (password hashes, token and credential hashes, session data) never "
            'appear. A value JSON cannot hold is `{"not_exported": "<field class>"}`. '
            "Streamed, with `Content-Disposition: attachment`. Only for guests: a regular "
            "user's export is the site's own (403)."
        ),
        tags=_TAGS,
        parameters=EXPORT_RETRY_AFTER,
        responses={
            200: response(EXPORT, "The guest's data."),
            401: response(GuestErrorSerializer, "Not logged in (or the guest is gone)."),
            403: response(GuestErrorSerializer, "Not a guest."),
            429: response(
                GuestRateLimitedSerializer,
                "Too many exports of this guest recently (GUEST_AUTH_EXPORT_RATE_LIMIT). "
                "Retry after `retry_after` seconds.",
            ),
        },
    )
    def get(self, request: Request) -> Any:
        user = request.user
        if not is_guest(user):
            raise PermissionDenied(IsGuest.message)
        try:
            check_export_rate(user)
        except RateLimited as exc:
            body = {"detail": rate_limited_detail(exc), "retry_after": exc.retry_after}
            return Response(
                GuestRateLimitedSerializer(body).data,
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        try:
            chunks = export_guest(request._request, user)
        except GuestGone:
            # Purged meanwhile: as for any client that is not logged in.
            raise NotAuthenticated() from None
        except NotAGuest:
            # Promoted by a concurrent request meanwhile.
            raise PermissionDenied(IsGuest.message) from None
        return export_response(chunks, user)


class GuestPromoteView(_GuestAPIView):
    """POST: the current guest becomes a regular user in place."""

    permission_classes = [IsGuest]

    def get_serializer_class(self) -> Any:
        # drf-spectacular reads the request body from here.
        return promote_request_serializer(get_adapter().get_promote_form_class(self.request))

    @document(
        operation_id="guest_promote",
        summary="Promote the current guest to a regular user in place",
        description=(
            "Sets the username (the user model's USERNAME_FIELD), email when the model has "
            "one, and password, validated by the site's promote form. The user keeps its id "
            "and everything attached to it. Revokes the guest's device credentials and its "
            "other API tokens; the token or session of this request stays logged in."
        ),
        tags=_TAGS,
        responses={
            200: response(GuestUserInfoSerializer, "The promoted user (same id)."),
            400: response(
                BAD_REQUEST,
                "Field errors, keyed by the request's field names "
                "(non_field_errors for the others), or the body is not "
                "valid JSON.",
            ),
            401: response(GuestErrorSerializer, "Not logged in."),
            403: response(
                GuestErrorSerializer,
                "Not a guest" + _CSRF + ", or django-allauth is the site's signup "
                "(its email rules apply: sign up through allauth, e.g. its headless API).",
            ),
            413: response(GuestErrorSerializer, _TOO_LARGE),
            415: response(GuestErrorSerializer, _NOT_JSON),
        },
    )
    @sensitive_variables("serializer", "data", "password", "form")
    def post(self, request: Request) -> Response:
        http_request = request._request
        if allauth_is_signup():
            raise PermissionDenied(_ALLAUTH_SIGNUP)
        form_class = get_adapter().get_promote_form_class(http_request)
        serializer = promote_request_serializer(form_class)(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        password = data.pop("password")
        form = form_class(data={**data, **dict.fromkeys(PASSWORD_FIELDS, password)})
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        try:
            user = promote_guest(http_request, request.user, **form.promotion_fields())
        except IntegrityError:
            # Someone took the same username or email between validation and save.
            raise ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _("That account was just taken. Please choose another.")
                    ]
                }
            ) from None
        except NotAGuest:
            # Promoted by a concurrent request meanwhile.
            raise PermissionDenied(IsGuest.message) from None
        return Response(_user_info(http_request, user))


class GuestLogoutView(_GuestAPIView):
    """POST: log out; the API token this request presents is revoked."""

    permission_classes = [IsAuthenticated]
    takes_body = False

    @document(
        operation_id="guest_logout",
        summary="Log out and revoke the presented token",
        description=(
            "Deletes the API token the request authenticated with (it can never be used "
            "again) and ends the session, if the request has one. Other tokens and device "
            "credentials of the user stay valid: see `tokens/`."
        ),
        tags=_TAGS,
        request=None,
        responses={
            204: response(None, "Logged out; the token is revoked."),
            401: response(GuestErrorSerializer, "Not logged in."),
            403: response(
                GuestErrorSerializer, "A session-authenticated request without a valid CSRF token."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        http_request = request._request
        if not revoke_request_token(http_request):
            logout(http_request)
        elif hasattr(http_request, "session"):
            # A token request may also carry a session cookie: end it only if it
            # is logged in as the same user.
            user = request.user
            if http_request.session.get(SESSION_KEY) == session_user_id(user):
                logout(http_request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuestCredentialsView(_GuestAPIView):
    """GET: the logged-in user's API tokens and device credentials (never their secrets)."""

    permission_classes = [IsAuthenticated]

    @document(
        operation_id="guest_tokens",
        summary="List the user's API tokens and device credentials",
        description=(
            "Each with its public `id` (the part of the token before the dot), `kind`, "
            "dates and whether it is the token of this request. Secrets are never shown."
        ),
        tags=_TAGS,
        responses={
            200: response(GuestCredentialSerializer(many=True), "Oldest first."),
            401: response(GuestErrorSerializer, "Not logged in."),
        },
    )
    def get(self, request: Request) -> Response:
        current = state.of(request).api_token
        rows = [
            {
                "id": row.lookup,
                "kind": "token" if hasattr(row, "last_used_at") else "credential",
                "created_at": row.created_at,
                "last_used_at": getattr(row, "last_used_at", None),
                "current": current is not None and row.lookup == current.lookup,
            }
            for row in credentials_of(request.user)
        ]
        return Response(GuestCredentialSerializer(rows, many=True).data)


class GuestCredentialView(_GuestAPIView):
    """DELETE: revoke one of the user's API tokens or device credentials."""

    permission_classes = [IsAuthenticated]

    @document(
        operation_id="guest_token_revoke",
        summary="Revoke an API token or device credential",
        description="Deletes it at once; it logs nobody in afterwards.",
        tags=_TAGS,
        responses={
            204: response(None, "Revoked."),
            401: response(GuestErrorSerializer, "Not logged in."),
            403: response(
                GuestErrorSerializer, "A session-authenticated request without a valid CSRF token."
            ),
            404: response(GuestErrorSerializer, "The user has no token or credential by that id."),
        },
    )
    def delete(self, request: Request, id: str) -> Response:
        if not revoke_credential(request.user, id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuestMergeView(_GuestAPIView):
    """GET: the merge a login offered for confirmation; POST: confirm or decline it."""

    permission_classes = [IsAuthenticated]

    def _pending(self, request: Request) -> Any:
        guest = pending_merge(request._request)
        if guest is None:
            raise NotFound(_("No merge is waiting for confirmation."))
        return guest

    @document(
        operation_id="guest_merge_pending",
        summary="The merge waiting for confirmation after a login",
        description=(
            "After a login that checked no credential the visitor typed (a password-reset "
            "link, a login code), a site whose adapter answers `confirm` offers to merge the "
            "browser's former guest into the account. `summary` is a dry run: per model "
            "label, how many rows would move, stay with the guest, or be dropped."
        ),
        tags=_TAGS,
        responses={
            200: response(GuestMergeSerializer, "A merge is waiting."),
            401: response(GuestErrorSerializer, "Not logged in."),
            404: response(GuestErrorSerializer, "No merge is waiting for this account."),
        },
    )
    def get(self, request: Request) -> Response:
        guest = self._pending(request)
        summary = merge_guest(guest, request.user, dry_run=True)
        return Response(GuestMergeSerializer(_merge_body(guest, summary, merged=False)).data)

    @document(
        operation_id="guest_merge_confirm",
        summary="Confirm (or decline) the waiting merge",
        description=(
            "Merges the guest into the logged-in account, or with `decline` keeps it apart "
            "(logging out brings the browser back to it). Either way nothing waits any more."
        ),
        tags=_TAGS,
        request=GuestMergeRequestSerializer,
        responses={
            200: response(GuestMergeSerializer, "`merged` says whether the merge happened."),
            400: response(BAD_REQUEST, "`decline` is not a boolean, or the body is not JSON."),
            401: response(GuestErrorSerializer, "Not logged in."),
            403: response(
                GuestErrorSerializer, "A session-authenticated request without a valid CSRF token."
            ),
            404: response(GuestErrorSerializer, "No merge is waiting for this account."),
            413: response(GuestErrorSerializer, _TOO_LARGE),
            415: response(GuestErrorSerializer, _NOT_JSON),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = GuestMergeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guest = self._pending(request)
        session = request._request.session
        session.pop(PENDING_MERGE_SESSION_KEY, None)
        if serializer.validated_data.get("decline"):
            body = _merge_body(guest, None, merged=False)
        else:
            summary = merge_guest(guest, request.user, dry_run=True)
            merged = merge_into(request._request, guest, request.user)
            if merged:
                session.pop(KEPT_GUEST_SESSION_KEY, None)
            body = _merge_body(guest, summary if merged else None, merged=merged)
        return Response(GuestMergeSerializer(body).data)


def _merge_body(guest: Any, summary: Any, *, merged: bool) -> dict[str, Any]:
    counts = {
        label: {"moved": c.moved, "kept": c.kept, "dropped": c.dropped}
        for label, c in (summary or {}).items()
    }
    return {"guest": guest.pk, "merged": merged, "summary": counts}


@sensitive_variables("token", "credential")
def _login_body(user: Any, token: str, credential: str) -> dict[str, Any]:
    """The create and login answer: the opaque token, or with GUEST_AUTH_API_TOKENS
    = "jwt" a simplejwt access/refresh pair bound to that token's row instead."""
    body = {"id": user.pk, "is_guest": True, "credential": credential}
    if guest_settings.API_TOKENS == "jwt":
        from guest_auth.contrib.simplejwt.tokens import pair

        body.update(pair(user, opaque=token))
    else:
        body["token"] = token
    return body


def _user_info(request: HttpRequest, user: Any) -> Any:
    body = {
        "id": user.pk,
        "is_guest": is_guest(user),
        "is_verified": get_adapter().is_verified(request, user),
    }
    return GuestUserInfoSerializer(body).data
