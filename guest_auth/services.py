"""The operations on guests: guest_auth's public API.

Each operation lives in one internal module that tells its story top to
bottom (``_session``, ``_create``, ``_promote``, ``_merge``, ``_purge``,
``_export``);
middleware, decorators, views, the command, the admin and the REST API are
thin layers over them, so each rule lives in one place.
"""

from __future__ import annotations

from ._create import create_guest
from ._export import export_guest
from ._login import login_checked_credential, pending_merge
from ._merge import MergeCounts, MergeSummary, merge_guest
from ._promote import promote_guest
from ._purge.purge import PurgeProgress, delete_guest, purge_guests
from ._session import ais_guest, is_guest

__all__ = [
    "MergeCounts",
    "MergeSummary",
    "PurgeProgress",
    "ais_guest",
    "create_guest",
    "delete_guest",
    "export_guest",
    "is_guest",
    "login_checked_credential",
    "merge_guest",
    "pending_merge",
    "promote_guest",
    "purge_guests",
]
