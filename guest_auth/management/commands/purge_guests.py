"""``manage.py purge_guests``: delete guests inactive for too long.

Run it from cron, or schedule guest_auth.tasks (django.tasks) or
guest_auth.contrib.celery (Celery beat), which run the same purge.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ..._purge.job import PurgeJob, report_lines
from ..._purge.purge import PurgeProgress
from ...exceptions import PurgeArgumentError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Delete guests inactive for longer than --older-than (default "
        "GUEST_AUTH_MAX_INACTIVITY), with everything that cascades from them. Guests "
        "that own rows protecting them (on_delete PROTECT or RESTRICT) are kept and "
        "reported. Progress goes to stderr with -v 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            metavar="DURATION",
            help="Inactivity window: seconds, or a number with s, m, h, d or w (30d, 12h, 45m).",
        )
        parser.add_argument(
            "--batch-size",
            metavar="N",
            help="Guests deleted per transaction (default GUEST_AUTH_PURGE_BATCH_SIZE).",
        )
        parser.add_argument(
            "--limit",
            metavar="N",
            help="Delete at most N guests in this run; run again for the next slice.",
        )
        parser.add_argument(
            "--time-limit",
            metavar="DURATION",
            help="Start no new batch once this long has passed (10m, 1h); "
            "the batch under way finishes.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the guests that would go; delete nothing."
        )

    def handle(
        self,
        *args: Any,
        older_than: str | None,
        batch_size: str | None,
        limit: str | None,
        time_limit: str | None,
        dry_run: bool,
        verbosity: int = 1,
        **options: Any,
    ) -> None:
        try:
            job = PurgeJob.from_options(
                older_than=older_than,
                batch_size=batch_size,
                limit=limit,
                time_limit=time_limit,
                dry_run=dry_run,
            )
        except PurgeArgumentError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            for line in job.warnings():
                self.stderr.write(line)

        last: list[PurgeProgress] = []

        def progress(report: PurgeProgress) -> None:
            last[:] = [report]
            if verbosity >= 2 and not report.done:
                self.stderr.write(_progress_line(report), style_func=str)

        try:
            final = job.run(progress)
        except DatabaseError as exc:
            done = last[0].deleted if last else 0
            verb = "counting" if dry_run else "purging"
            error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"Database error after {verb} {done} guests: {error}") from exc

        for line in report_lines(job, final):
            self.stdout.write(line)


def _progress_line(report: PurgeProgress) -> str:
    verb = "would be purged" if report.dry_run else "purged"
    return (
        f"Batch {report.batches}: {report.deleted} guests {verb}, {report.skipped} skipped, "
        f"{report.elapsed:.1f} s."
    )
