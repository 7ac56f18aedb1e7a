"""``manage.py guest_access``: who can reach each URL of the site."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ..._audit import IDENTITIES, Problem, Row, audit
from ...conf import guest_settings

__all__ = ["Command"]

_HEADER = ("URL", "NAME", *(identity.upper() for identity in IDENTITIES), "VIA")


class Command(BaseCommand):
    help = (
        "List the site's URL patterns and whether an anonymous visitor, a guest and a "
        "regular user can reach each one, from the decorators, mixins, middleware and "
        "DRF permission classes guest_auth can see. Patterns it cannot read are "
        "reported on stderr and marked '?'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--access",
            choices=["all", "opt-in"],
            help="Audit as if GUEST_AUTH_GUEST_ACCESS were this (default: its value).",
        )
        parser.add_argument(
            "--urlconf", metavar="MODULE", help="The URLconf to audit (default ROOT_URLCONF)."
        )

    def handle(self, *args: Any, access: str | None, urlconf: str | None, **options: Any) -> None:
        rows: list[tuple[str, ...]] = []
        problems = 0
        for item in audit(access=access or guest_settings.GUEST_ACCESS, urlconf=urlconf):
            if isinstance(item, Problem):
                problems += 1
                self.stderr.write(f"Cannot analyse {item.url}: {item.reason}")
            elif isinstance(item, Row):
                rows.append((item.url, item.name, *item.cells, ", ".join(item.via)))
        widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER))]
        for row in [_HEADER, *rows]:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
        if problems:
            self.stderr.write(f"{problems} pattern(s) could not be fully analysed.")
