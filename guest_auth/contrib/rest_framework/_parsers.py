"""The API's request bodies: JSON only, small and shallow.

The guest API's bodies are a few short strings. A body that is not JSON, or
that is larger or deeper than any real client sends, is answered with a JSON
4xx before it costs anything: never Django's HTML error page, never a 5xx.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.request import Request

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "GuestJSONParser",
    "PayloadTooLarge",
    "check_body_size",
    "check_json",
    "has_body",
]

#: The largest body accepted (or DATA_UPLOAD_MAX_MEMORY_SIZE when smaller).
MAX_BODY_BYTES = 64 * 1024
#: The deepest nesting of arrays and objects accepted in a body.
MAX_DEPTH = 32


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


class GuestJSONParser(JSONParser):
    """DRF's JSON parser, with nesting bounded: a deep body is a 400, not a RecursionError."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested too deeply.")) from None
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(_("JSON parse error - nested too deeply."))
        return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays and objects in ``data`` nest more than ``limit`` deep (no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value)
    return False


def _length(request: Request) -> int:
    """The body's declared length: 0 when absent, empty or not a number, as
    Django and DRF then read no body."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def has_body(request: Request) -> bool:
    """Whether the request has a body at all: ``Content-Length: 0`` is none,
    as a missing Content-Length is (DRF reads either as ``{}``)."""
    return _length(request) > 0


def check_body_size(request: Request) -> None:
    """Refuse, before anything reads it, a body larger than the API accepts."""
    length = _length(request)
    limit = MAX_BODY_BYTES
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if length > limit:
        raise PayloadTooLarge()


def check_json(request: Request) -> None:
    """Refuse a body that is not JSON, also an empty one.

    A cross-site form, or a ``fetch`` without CORS, can post text/plain or no
    Content-Type at all, but not application/json.
    """
    media_type = request.content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType(request.content_type or "")
