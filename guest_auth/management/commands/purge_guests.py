"""``manage.py purge_guests``: delete guests inactive for too long. Run it from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ..._durations import to_timedelta
from ...services import purge_guests


class Command(BaseCommand):
    help = (
        "Delete guests inactive for longer than --older-than (default "
        "GUEST_AUTH_MAX_INACTIVITY), with everything that cascades from them."
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
            "--dry-run", action="store_true", help="Count the guests that would go; delete nothing."
        )

    def handle(self, *args: Any, older_than: str | None, batch_size: str | None,
               dry_run: bool, **options: Any) -> None:
        size = None
        if batch_size is not None:
            try:
                size = int(batch_size)
            except ValueError:
                size = 0
            if size < 1:
                raise CommandError(f"--batch-size must be a positive integer, not {batch_size!r}.")
        window = None
        if older_than is not None:
            try:
                window = to_timedelta(older_than)
            except ValueError as exc:
                raise CommandError(f"--older-than: {exc}") from None
        count = purge_guests(older_than=window, batch_size=size, dry_run=dry_run)
        verb = "Would purge" if dry_run else "Purged"
        self.stdout.write(f"{verb} {count} guests.")
