"""Idle guests to purge, and the purge command's output."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from tests.helpers.factories import GuestFactory

__all__ = ["aged", "command"]


def aged(days):
    """A guest last seen ``days`` ago (its Guest row)."""
    return GuestFactory(last_seen_at=timezone.now() - timedelta(days=days))


def command(*args):
    """``manage.py purge_guests *args``: the lines it printed."""
    out = StringIO()
    call_command("purge_guests", *args, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()
