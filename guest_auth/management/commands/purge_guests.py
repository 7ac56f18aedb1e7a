"""``manage.py purge_guests``: delete guests inactive for too long. Run it from cron."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ..._durations import to_timedelta
from ..._purge import PurgeProgress, purge_guests

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
        window = _duration("--older-than", older_than)
        budget = _duration("--time-limit", time_limit)
        size = _positive_int("--batch-size", batch_size)
        cap = _positive_int("--limit", limit)

        if (
            window is not None
            and verbosity >= 1
            and (window.total_seconds() < settings.SESSION_COOKIE_AGE)
        ):
            # What check guest_auth.W001 says about the setting, for the option.
            self.stderr.write(
                f"Warning: --older-than {older_than} is shorter than SESSION_COOKIE_AGE "
                f"({settings.SESSION_COOKIE_AGE} s): guests whose sessions are still valid "
                "may be purged."
            )

        last: list[PurgeProgress] = []

        def progress(report: PurgeProgress) -> None:
            last[:] = [report]
            if verbosity >= 2 and not report.done:
                self.stderr.write(_progress_line(report), style_func=str)

        try:
            count = purge_guests(
                older_than=window,
                batch_size=size,
                dry_run=dry_run,
                limit=cap,
                time_limit=budget,
                progress=progress,
            )
        except DatabaseError as exc:
            done = last[0].deleted if last else 0
            verb = "counting" if dry_run else "purging"
            error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"Database error after {verb} {done} guests: {error}") from exc

        final = last[0]
        self.stdout.write(f"{'Would purge' if dry_run else 'Purged'} {count} guests.")
        if final.skipped:
            self.stdout.write(
                f"{'Would skip' if dry_run else 'Skipped'} {final.skipped} guests that own "
                f"rows protecting them: {', '.join(final.protected_by)}."
            )
        if final.stopped_by == "limit":
            self.stdout.write(f"Stopped at --limit {cap}; inactive guests may remain.")
        elif final.stopped_by == "time_limit":
            self.stdout.write(f"Stopped at --time-limit {time_limit}; inactive guests may remain.")


def _progress_line(report: PurgeProgress) -> str:
    verb = "would be purged" if report.dry_run else "purged"
    return (
        f"Batch {report.batches}: {report.deleted} guests {verb}, {report.skipped} skipped, "
        f"{report.elapsed:.1f} s."
    )


def _duration(option: str, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return to_timedelta(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


def _positive_int(option: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(f"{option} must be a positive integer, not {value!r}.")
    return number
