"""The Celery task ``guest_auth.purge_guests``; see guest_auth.contrib.celery."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from guest_auth._purge.job import run_as_task

__all__ = ["DEFAULT_TIME_LIMIT", "purge_guests"]

#: The time budget of a run unless told otherwise (as guest_auth.tasks).
DEFAULT_TIME_LIMIT = "5m"


@shared_task(name="guest_auth.purge_guests")
def purge_guests(
    older_than: Any = None,
    batch_size: Any = None,
    limit: Any = None,
    time_limit: Any = DEFAULT_TIME_LIMIT,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Purge inactive guests as ``manage.py purge_guests`` does; return the figures."""
    return run_as_task(
        older_than=older_than,
        batch_size=batch_size,
        limit=limit,
        time_limit=time_limit,
        dry_run=dry_run,
    )
