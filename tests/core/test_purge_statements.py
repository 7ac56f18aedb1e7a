"""The purge's statements when every row of a guest goes by a plain DELETE.

When Django's collector would delete every row referencing the users with one
DELETE per table (its fast deletes: CASCADE, no receiver, nothing cascading
further), a batch needs no collector and no instances: guest_auth._purge.purge
deletes the keys directly, on PostgreSQL with one statement per batch. The
test site has PROTECT and SET_NULL relations, so a run there never takes this
path by itself (test_fast_deletes_declines_...): the tests hand a run the plan
of the relations whose rows the guests own, all of which Django fast-deletes.
"""

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.deletion import Collector
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guest_auth._purge.purge import Purge
from guest_auth._purge.sql import fast_deletes as _fast_deletes
from guest_auth._secrets import new as new_secret
from guest_auth.models import APIToken, DeviceCredential, Guest, GuestDay, NameClaim
from tests.helpers.factories import GuestFactory, UserFactory
from tests.testapp.models import Note

pytestmark = [
    pytest.mark.skipif(
        connection.vendor not in ("postgresql", "mysql"), reason="SQLite keeps the collector"
    ),
    pytest.mark.django_db,
]

User = get_user_model


def owned_by(user):
    Note.objects.create(user=user, text="a note")
    Note.objects.create(user=user, text="another")
    for model in (APIToken, DeviceCredential):
        lookup, digest = _lookup_and_digest()
        model.objects.create(user=user, lookup=lookup, digest=digest)
    NameClaim.objects.create(key=f"{user.pk}".rjust(64, "0")[:64], user=user)


def _lookup_and_digest():
    secret = new_secret()
    return secret.lookup, secret.digest


def plan():
    """The foreign keys of the rows guests own here, each fast-deleted by Django."""
    model = User()
    collector = Collector("default")
    fields = []
    for related in (Guest, APIToken, DeviceCredential, NameClaim, Note, LogEntry):
        field = next(f for f in related._meta.concrete_fields if f.related_model is model)
        assert collector.can_fast_delete(related, from_field=field)
        fields.append(field)
    # PermissionsMixin's tables, where the user model has them (testapp.EmailUser has not).
    for name in ("groups", "user_permissions"):
        if hasattr(model, name):
            through = getattr(model, name).through._meta
            fields.append(next(f for f in through.concrete_fields if f.related_model is model))
    return fields


def idle(days=40):
    return GuestFactory(last_seen_at=timezone.now() - timedelta(days=days)).user


def test_fast_deletes_declines_when_a_relation_protects():
    # tests.purgeapp has PROTECT, RESTRICT and SET_NULL foreign keys to the user.
    assert _fast_deletes(User(), "default") is None


def test_a_batch_deletes_users_and_their_rows_by_key():
    gone = [idle() for _ in range(5)]
    active = GuestFactory().user
    regular = UserFactory()
    for user in [*gone, active, regular]:
        owned_by(user)
    purge = Purge(cutoff=timezone.now() - timedelta(days=30), batch_size=2)
    purge._fast = plan()
    with CaptureQueriesContext(connection) as captured:
        assert purge.run() == 5
    assert purge.batches == 3 and purge.skipped == 0
    assert set(User().objects.values_list("pk", flat=True)) == {active.pk, regular.pk}
    assert set(Guest.objects.values_list("pk", flat=True)) == {active.pk}
    for model in (Note, APIToken, DeviceCredential, NameClaim):
        owners = set(model.objects.values_list("user_id", flat=True))
        assert owners == {active.pk, regular.pk}, model
    assert sum(GuestDay.objects.values_list("purged", flat=True)) == 5
    deletes = [q["sql"] for q in captured.captured_queries if "DELETE" in q["sql"]]
    user_table = User()._meta.db_table
    if connection.vendor == "postgresql":
        # One statement per batch, whatever the number of tables.
        batch_deletes = [q for q in deletes if q.startswith("WITH d0 AS (DELETE")]
        assert len(batch_deletes) == 3
        assert all(f'DELETE FROM "{user_table}" WHERE' in q for q in batch_deletes)
    else:
        assert sum(q.startswith(f"DELETE FROM `{user_table}`") for q in deletes) == 3


@override_settings(TIME_ZONE="Europe/Paris")
def test_a_batch_reads_keys_and_local_creation_days_from_the_guest_table_alone():
    # 22:30 and 23:30 UTC on 1 November are 23:30 on the 1st and 00:30 on the 2nd in Paris.
    first = datetime(2026, 11, 1, 22, 30, tzinfo=dt_timezone.utc)
    for created in (first, first + timedelta(hours=1), first + timedelta(hours=1)):
        guest = GuestFactory(last_seen_at=timezone.now() - timedelta(days=40))
        Guest.objects.filter(pk=guest.pk).update(created_at=created)
    purge = Purge(cutoff=timezone.now() - timedelta(days=30), batch_size=10)
    purge._fast = plan()
    with CaptureQueriesContext(connection) as captured:
        assert purge.run() == 3
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    guest_table = Guest._meta.db_table
    [batch_read] = [q for q in reads if f"FROM {connection.ops.quote_name(guest_table)}" in q]
    assert "FOR UPDATE" in batch_read and User()._meta.db_table not in batch_read
    if connection.vendor == "postgresql":
        # The local day, not the time: no timestamp parsed per guest in Python.
        assert (
            """("guest_auth_guest"."created_at" AT TIME ZONE 'Europe/Paris')::date""" in batch_read
        )
    gone = dict(GuestDay.objects.filter(created_gone__gt=0).values_list("day", "created_gone"))
    assert gone == {date(2026, 11, 1): 1, date(2026, 11, 2): 2}


def test_self_deletion_by_key_deletes_the_guest_and_its_rows():
    user = GuestFactory().user
    owned_by(user)
    purge = Purge(cutoff=timezone.now(), batch_size=1)
    purge._fast = plan()
    purge.delete_one(user)
    assert not User().objects.filter(pk=user.pk).exists()
    assert not Note.objects.exists() and not APIToken.objects.exists()
    assert purge.deleted == 1
