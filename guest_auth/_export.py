"""A guest's data export: every row that points at it, as one JSON document, streamed.

Private; ``guest_auth.services.export_guest()`` is the entry point, the
``guest_auth:export`` view and ``GET api/guest/me/export/`` serve it.

The rows are those the merge would move: every foreign key, one-to-one and
generic foreign key to the user model in every installed model
(``_merge.relations``, the same discovery), plus the guest's own user row and
its Guest row. The adapter decides what is shown (``GuestAdapter.export_fields``
per model, ``GuestAdapter.export_extra`` for derived data); by default secrets
never are (password hashes, token and credential hashes and lookups, session
data: see the adapter). The document::

    {"format": "guest_auth.export/1", "exported_at": "...", "user": {"model":
     "auth.User", "pk": 7}, "models": {"auth.User": [{"pk": 7, "fields": {...}}],
     "shop.CartItem": [...]}, "extra": {...}}

Models without rows are left out. A value JSON cannot hold (binary data, a
custom field's object, a float that is not finite) is the placeholder
``{"not_exported": "<field class>"}``; a file is its name.

Whether the user is still a guest is decided before the first byte (one query
on the write database): :func:`export_guest` raises then, never halfway.
Memory is bounded: the rows are read CHUNK_SIZE at a time in primary-key
order (one query per model for fewer rows than that) and written out one at
a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from ._merge import Relation, relations
from ._session import unwrap
from .adapter import get_adapter
from .exceptions import NotAGuest
from .models import Guest

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .exceptions import RateLimited

__all__ = [
    "CHUNK_SIZE",
    "FORMAT",
    "GuestGone",
    "export_guest",
    "export_response",
    "rate_limited_detail",
]

#: The document's ``format`` member; a new number if its shape ever changes.
FORMAT = "guest_auth.export/1"
#: Rows fetched per round trip: the memory bound of an export.
CHUNK_SIZE = 500

_ENCODER = DjangoJSONEncoder(ensure_ascii=False, allow_nan=False)


class GuestGone(NotAGuest):
    """The user no longer exists (purged or deleted meanwhile): treat the request as anonymous."""


def export_guest(request: HttpRequest | None, user: Any) -> Iterator[str]:
    """The JSON document of ``user``'s data, in pieces, for a streaming response.

    Raises, before anything is read: GuestGone when the user no longer exists,
    NotAGuest when it is not (or no longer) a guest. The rows are read as the
    pieces are consumed.
    """
    user = unwrap(user)  # request.user
    user_model = type(user)
    db = router.db_for_write(user_model, instance=user)
    # Fresh from the write database: a guest created or promoted moments ago.
    marker = Guest.objects.using(db).select_related("user").filter(user_id=user.pk).first()
    if marker is None:
        if not user_model._base_manager.using(db).filter(pk=user.pk).exists():
            raise GuestGone(f"User {user.pk} no longer exists.")
        raise NotAGuest(f"User {user.pk} is not a guest.")
    return _document(request, marker.user, marker, db)


def _document(request: HttpRequest | None, user: Any, marker: Guest, db: str) -> Iterator[str]:
    adapter = get_adapter()
    head = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "user": {"model": type(user)._meta.label, "pk": user.pk},
    }
    yield _ENCODER.encode(head)[:-1] + ', "models": {'
    first = True
    sources: list[tuple[type[models.Model], Iterable[Any]]] = [
        (type(user), [user]),
        (Guest, [marker]),
        *((model, _rows(model, found, user, db)) for model, found in _by_model(user, db)),
    ]
    for model, rows in sources:
        fields = _fields(adapter, request, model)
        if fields is None:
            continue
        opened = False
        for obj in rows:
            if not opened:
                yield ("" if first else ", ") + _ENCODER.encode(model._meta.label) + ": ["
                first, opened = False, True
            else:
                yield ", "
            yield _ENCODER.encode(
                {"pk": _plain(model._meta.pk, obj.pk), "fields": _row(obj, fields)}
            )
        if opened:
            yield "]"
    extra = adapter.export_extra(request, user)
    yield '}, "extra": ' + _ENCODER.encode({k: v for k, v in extra.items()}) + "}\n"


def _by_model(user: Any, db: str) -> list[tuple[type[models.Model], list[Relation]]]:
    """The relations to the user model, grouped by model (one query per model)."""
    grouped: dict[type[models.Model], list[Relation]] = {}
    for relation in relations(type(user), db):
        grouped.setdefault(relation.model, []).append(relation)
    return list(grouped.items())


def _rows(model: type[models.Model], found: list[Relation], user: Any, db: str) -> Iterator[Any]:
    """The rows, CHUNK_SIZE at a time by primary key (keyset pagination).

    Not ``iterator()``: MySQL's and MariaDB's drivers read a whole result into
    memory, and PgBouncer's transaction pooling forbids server-side cursors.
    One query when the guest has fewer than CHUNK_SIZE rows of the model.
    """
    match = reduce(or_, (Q(**{r.field: r.target(user)}, **dict(r.fixed)) for r in found))
    rows = model._base_manager.using(db).filter(match).order_by("pk")
    page = list(rows[:CHUNK_SIZE])
    while page:
        yield from page
        if len(page) < CHUNK_SIZE:
            return
        page = list(rows.filter(pk__gt=page[-1].pk)[:CHUNK_SIZE])


def _fields(
    adapter: Any, request: HttpRequest | None, model: type[models.Model]
) -> list[Any] | None:
    names = adapter.export_fields(request, model)
    if names is None:
        return None
    opts = model._meta
    return [opts.get_field(name) for name in names]


def _row(obj: Any, fields: list[Any]) -> dict[str, Any]:
    return {field.name: _plain(field, field.value_from_object(obj)) for field in fields}


def _plain(field: Any, value: Any) -> Any:
    """``value`` as JSON can hold it, or the documented placeholder."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, FieldFile):
        return value.name or None
    if not isinstance(value, (bytes, bytearray, memoryview, float)):
        try:
            _ENCODER.encode(value)
        except (TypeError, ValueError, OverflowError):
            pass
        else:
            return value
    return {"not_exported": type(field).__name__}


def export_response(chunks: Iterator[str], user: Any) -> StreamingHttpResponse:
    """The download: ``chunks`` streamed as an attachment, never cached."""
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks), content_type="application/json"
    )
    day = timezone.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="guest-data-{day}.json"'
    response["Cache-Control"] = "no-store, private"
    return response


def rate_limited_detail(exc: RateLimited) -> str:
    """What a guest over GUEST_AUTH_EXPORT_RATE_LIMIT is told."""
    return ngettext(
        "Too many data exports; retry in %(seconds)d second.",
        "Too many data exports; retry in %(seconds)d seconds.",
        exc.retry_after,
    ) % {"seconds": exc.retry_after}
