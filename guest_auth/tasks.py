"""The purge as a task of Django's tasks framework (``django.tasks``, Django
6.0+; on Django 5.2 the ``django-tasks`` backport: ``pip install
django-guest-auth[tasks]``).

``purge_guests`` runs what ``manage.py purge_guests`` runs, with the same
options (as JSON values: ``"30d"`` or seconds for durations), the same one-line
errors for bad ones (``PurgeArgumentError``) and the same figures, returned as
a dict (``deleted``, ``skipped``, ``protected_by``, ``batches``,
``stopped_by``, ``dry_run`` and ``report``, the command's lines). It stops
starting batches after ``time_limit`` (default five minutes), so a worker is
never held for long; a backlog is drained over several runs.

No cron: with ``repeat_every`` the task enqueues its next run that much later
(``run_after``), on the same backend and queue, so enqueueing it once keeps the
purge going, on any backend that can defer tasks::

    from guest_auth.tasks import purge_guests

    purge_guests.enqueue(repeat_every="1h")
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ._durations import to_timedelta
from ._purge.job import PurgeJob, run_as_task
from .exceptions import PurgeArgumentError

try:  # Django 6.0+
    from django.tasks import TaskContext, task
except ImportError:  # Django 5.2 with the backport, or neither
    try:
        from django_tasks import TaskContext, task  # type: ignore[no-redef,assignment]
    except ImportError:
        task = None  # type: ignore[assignment]

__all__ = ["DEFAULT_TIME_LIMIT", "purge_guests"]

#: The time budget of a task's run unless told otherwise.
DEFAULT_TIME_LIMIT = "5m"

_MISSING = (
    "guest_auth.tasks needs Django's tasks framework: Django 6.0 or later, or on "
    "Django 5.2 the django-tasks backport (pip install 'django-guest-auth[tasks]')."
)


if task is not None:

    @task(takes_context=True)
    def purge_guests(
        context: TaskContext,
        older_than: Any = None,
        batch_size: Any = None,
        limit: Any = None,
        time_limit: Any = DEFAULT_TIME_LIMIT,
        dry_run: bool = False,
        repeat_every: Any = None,
    ) -> dict[str, Any]:
        """Purge inactive guests; see the module's documentation."""
        options = {
            "older_than": older_than,
            "batch_size": batch_size,
            "limit": limit,
            "time_limit": time_limit,
            "dry_run": dry_run,
        }
        PurgeJob.from_options(**options)  # bad options: nothing runs, nothing is scheduled
        current = context.task_result.task
        interval = None
        if repeat_every is not None:
            try:
                interval = to_timedelta(repeat_every)
            except (ValueError, TypeError) as exc:
                raise PurgeArgumentError(f"--repeat-every: {exc}") from None
            backend = current.get_backend()
            if not backend.supports_defer:
                raise PurgeArgumentError(
                    f"--repeat-every needs a task backend that can defer tasks (run_after); "
                    f"{type(backend).__name__} cannot."
                )
        next_run = None
        try:
            result = run_as_task(**options)
        finally:
            # Also after a failed run (a database error): the schedule goes on.
            if interval is not None:
                next_run = timezone.now() + interval
                current.using(run_after=next_run).enqueue(**options, repeat_every=repeat_every)
        if next_run is not None:
            result["next_run_after"] = next_run.isoformat()
        return result

else:

    def __getattr__(name: str) -> Any:
        if name == "purge_guests":
            raise ImportError(_MISSING)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
