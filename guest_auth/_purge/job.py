"""One purge as an operator starts it: ``manage.py purge_guests``, the
``django.tasks`` task (guest_auth.tasks) and the Celery task
(guest_auth.contrib.celery).

All three take the same options, refuse bad ones with the same one-line
errors, run ``purge_guests()`` and report the same figures in the same words,
because all three go through here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import ngettext

from .._durations import to_timedelta
from ..exceptions import PurgeArgumentError
from .purge import PurgeProgress, purge_guests

__all__ = ["PurgeJob", "figures", "report_lines", "run_as_task"]

logger = logging.getLogger("guest_auth.purge")


@dataclass(frozen=True)
class PurgeJob:
    """Checked options of one run. Build it with :meth:`from_options`."""

    older_than: timedelta | None
    batch_size: int | None
    limit: int | None
    time_limit: timedelta | None
    dry_run: bool
    # As given, for the messages.
    older_than_text: str | None
    time_limit_text: str | None

    @classmethod
    def from_options(
        cls,
        *,
        older_than: Any = None,
        batch_size: Any = None,
        limit: Any = None,
        time_limit: Any = None,
        dry_run: Any = False,
    ) -> PurgeJob:
        """Check options given as text (the command line) or JSON values (task
        arguments); raise PurgeArgumentError with the command's one-line message."""
        if not isinstance(dry_run, bool):
            raise PurgeArgumentError(f"--dry-run must be true or false, not {dry_run!r}.")
        return cls(
            older_than=_duration("--older-than", older_than),
            batch_size=_positive_int("--batch-size", batch_size),
            limit=_positive_int("--limit", limit),
            time_limit=_duration("--time-limit", time_limit),
            dry_run=dry_run,
            older_than_text=None if older_than is None else str(older_than),
            time_limit_text=None if time_limit is None else str(time_limit),
        )

    def warnings(self) -> list[str]:
        """What an operator should hear before the run (the command's stderr)."""
        if self.older_than is not None and (
            self.older_than.total_seconds() < settings.SESSION_COOKIE_AGE
        ):
            # What check guest_auth.W001 says about the setting, for the option.
            return [
                f"Warning: --older-than {self.older_than_text} is shorter than "
                f"SESSION_COOKIE_AGE ({settings.SESSION_COOKIE_AGE} s): guests whose "
                "sessions are still valid may be purged."
            ]
        return []

    def run(self, progress: Callable[[PurgeProgress], object] | None = None) -> PurgeProgress:
        """Purge; return the last progress report (``done``). Database errors
        propagate; ``progress`` also sees every batch."""
        last: list[PurgeProgress] = []

        def record(report: PurgeProgress) -> None:
            last[:] = [report]
            if progress is not None:
                progress(report)

        purge_guests(
            older_than=self.older_than,
            batch_size=self.batch_size,
            dry_run=self.dry_run,
            limit=self.limit,
            time_limit=self.time_limit,
            progress=record,
        )
        return last[0]


def report_lines(job: PurgeJob, final: PurgeProgress) -> list[str]:
    """The figures of a finished run, in the words the command prints."""
    dry_run = final.dry_run
    if dry_run:
        purged = ngettext(
            "Would purge %(count)d guest.", "Would purge %(count)d guests.", final.deleted
        )
    else:
        purged = ngettext("Purged %(count)d guest.", "Purged %(count)d guests.", final.deleted)
    lines = [purged % {"count": final.deleted}]
    if final.skipped:
        if dry_run:
            skipped = ngettext(
                "Would skip %(count)d guest that owns rows protecting it: %(models)s.",
                "Would skip %(count)d guests that own rows protecting them: %(models)s.",
                final.skipped,
            )
        else:
            skipped = ngettext(
                "Skipped %(count)d guest that owns rows protecting it: %(models)s.",
                "Skipped %(count)d guests that own rows protecting them: %(models)s.",
                final.skipped,
            )
        lines.append(skipped % {"count": final.skipped, "models": ", ".join(final.protected_by)})
    if final.stopped_by == "limit":
        lines.append(f"Stopped at --limit {job.limit}; inactive guests may remain.")
    elif final.stopped_by == "time_limit":
        lines.append(f"Stopped at --time-limit {job.time_limit_text}; inactive guests may remain.")
    return lines


def figures(job: PurgeJob, final: PurgeProgress) -> dict[str, Any]:
    """A task's result: the run's figures as JSON values, with the command's lines."""
    return {
        "deleted": final.deleted,
        "skipped": final.skipped,
        "protected_by": list(final.protected_by),
        "batches": final.batches,
        "stopped_by": final.stopped_by,
        "dry_run": final.dry_run,
        "report": report_lines(job, final),
    }


def run_as_task(**options: Any) -> dict[str, Any]:
    """The body of both tasks: check, warn, purge, log and return the figures."""
    job = PurgeJob.from_options(**options)
    for line in job.warnings():
        logger.warning("%s", line)
    result = figures(job, job.run())
    for line in result["report"]:
        logger.info("%s", line)
    return result


def _duration(option: str, value: Any) -> timedelta | None:
    if value is None:
        return None
    try:
        return to_timedelta(value)
    except (ValueError, TypeError) as exc:
        raise PurgeArgumentError(f"{option}: {exc}") from None


def _positive_int(option: str, value: Any) -> int | None:
    if value is None:
        return None
    number = 0
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        with suppress(ValueError):
            number = int(value)
    if number < 1:
        raise PurgeArgumentError(f"{option} must be a positive integer, not {value!r}.")
    return number
