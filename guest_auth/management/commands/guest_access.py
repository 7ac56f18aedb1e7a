"""``manage.py guest_access``: who can reach each URL of the site."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ..._audit import IDENTITIES, Problem, Row, audit
from ...conf import guest_settings

__all__ = ["Command"]

#: Rows of one namespace with the same verdicts that share one row by default.
GROUP_FROM = 5

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
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every_url",
            help="List every URL; by default the admin's URLs that answer alike "
            f"({GROUP_FROM} or more) share one row.",
        )

    def handle(
        self,
        *args: Any,
        access: str | None,
        urlconf: str | None,
        every_url: bool = False,
        **options: Any,
    ) -> None:
        found: list[Row] = []
        problems = 0
        for item in audit(access=access or guest_settings.GUEST_ACCESS, urlconf=urlconf):
            if isinstance(item, Problem):
                problems += 1
                self.stderr.write(f"Cannot analyse {item.url}: {item.reason}")
            elif isinstance(item, Row):
                found.append(item)
        rows = [
            (url, name, *cells, via)
            for url, name, cells, via in (_ungrouped(found) if every_url else _grouped(found))
        ]
        widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER))]
        for row in [_HEADER, *rows]:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
        if problems:
            self.stderr.write(f"{problems} pattern(s) could not be fully analysed.")


_Line = tuple[str, str, tuple[str, ...], str]


def _ungrouped(rows: list[Row]) -> list[_Line]:
    return [(row.url, row.name, row.cells, ", ".join(row.via)) for row in rows]


def _grouped(rows: list[Row]) -> list[_Line]:
    """The table with the admin's dozens of alike URLs in one row.

    The admin's rows (via "admin": its changelists, change forms, history
    pages...) group by verdicts; a group of GROUP_FROM or more is printed
    once, where its first row was, under the URLs' common prefix.
    """
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        if row.via == ("admin",):
            groups.setdefault(row.cells, []).append(row)
    lines: list[_Line] = []
    for row in rows:
        group = groups.get(row.cells, []) if row.via == ("admin",) else []
        if len(group) < GROUP_FROM:
            lines.append((row.url, row.name, row.cells, ", ".join(row.via)))
        elif row is group[0]:
            prefix = os.path.commonpath([member.url for member in group]).rstrip("/") + "/"
            lines.append(
                (
                    f"{prefix}...",
                    "admin:*",
                    row.cells,
                    f"admin ({len(group)} URLs; --all lists them)",
                )
            )
    return lines
