"""purge_guests(): selection, on_delete rules, signals, batches, limits, and
concurrency with promotions and other purges (PostgreSQL and MariaDB)."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, pre_delete
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guest_auth.models import Guest, GuestDay
from guest_auth.services import promote_guest, purge_guests
from guest_auth.signals import guests_purged
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory
from tests.purgeapp.models import Comment, Invoice, Item, Receipt, Refund, Upload
from tests.purgeapp.processes import Worker
from tests.purgeapp.receivers import deleted_uploads
from tests.testapp.models import Note

User = get_user_model

needs_concurrent_writers = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs concurrent writers"
)


class Receiver:
    """Collects the keyword arguments of every send of a signal."""

    def __init__(self, signal, sender=None):
        self.calls = []
        self.signal = signal
        self.sender = sender

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal")
        if "instance" in kwargs:  # Django clears the pk once the row is gone
            kwargs["pk"] = kwargs["instance"].pk
            kwargs["deferred"] = kwargs["instance"].get_deferred_fields()
        self.calls.append(kwargs)

    def __enter__(self):
        self.signal.connect(self, sender=self.sender)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self, sender=self.sender)


@pytest.fixture(autouse=True)
def _clear_deleted_uploads():
    deleted_uploads.clear()
    yield
    deleted_uploads.clear()


def idle(days=40, **kwargs):
    """A guest last seen ``days`` ago (the default window is 30 days)."""
    return GuestFactory(last_seen_at=timezone.now() - timedelta(days=days), **kwargs).user


def by_pk(*users):
    """``users`` in the database's primary key order (MariaDB's uuid type sorts
    differently from Python's UUID)."""
    pks = [user.pk for user in users]
    order = list(
        User()._base_manager.filter(pk__in=pks).order_by("pk").values_list("pk", flat=True)
    )
    return sorted(users, key=lambda user: order.index(user.pk))


def remaining(*users):
    """Which of ``users`` still exist."""
    pks = [user.pk for user in users]
    return set(User()._base_manager.filter(pk__in=pks).values_list("pk", flat=True))


def promotion_fields(n=1):
    model = User()
    if model.USERNAME_FIELD == "email":
        return {"email": f"kept{n}@example.com"}
    return {model.USERNAME_FIELD: f"kept{n}"}


class Reports(list):
    """A progress callback that keeps every report."""

    def __call__(self, report):
        self.append(report)


# Selection ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_deletes_only_inactive_guests_with_their_rows(user):
    gone = idle(31)
    Note.objects.create(user=gone, text="gone")
    active = idle(1)
    Note.objects.create(user=active, text="kept")
    old_but_recently_seen = GuestFactory(
        created_at=timezone.now() - timedelta(days=400), last_seen_at=timezone.now()
    ).user
    Note.objects.create(user=user, text="regular")

    assert purge_guests() == 1
    assert set(User().objects.values_list("pk", flat=True)) == {
        user.pk,
        active.pk,
        old_but_recently_seen.pk,
    }
    assert set(Note.objects.values_list("text", flat=True)) == {"kept", "regular"}


@pytest.mark.django_db
def test_never_touches_regular_or_promoted_users():
    regular = UserFactory(last_login=timezone.now() - timedelta(days=999))
    promoted = idle(90)
    promote_guest(None, promoted, password=PASSWORD, **promotion_fields())
    assert purge_guests(older_than=1) == 0
    assert remaining(regular, promoted) == {regular.pk, promoted.pk}


@pytest.mark.django_db
def test_window_argument_forms():
    idle(3)
    idle(10)
    assert purge_guests(older_than="7d", dry_run=True) == 1
    assert purge_guests(older_than=timedelta(days=2), dry_run=True) == 2
    assert purge_guests(older_than=86400 * 20, dry_run=True) == 0


@pytest.mark.django_db
def test_cascade_and_set_null_are_applied():
    gone, kept = idle(), idle(1)
    Item.objects.create(owner=gone)
    Item.objects.create(owner=kept)
    comment = Comment.objects.create(author=gone)
    kept_comment = Comment.objects.create(author=kept)

    assert purge_guests() == 1
    assert list(Item.objects.values_list("owner", flat=True)) == [kept.pk]
    comment.refresh_from_db()
    kept_comment.refresh_from_db()
    assert comment.author_id is None
    assert kept_comment.author_id == kept.pk


@pytest.mark.django_db
def test_narrowed_to_given_guests():
    chosen, other, active = idle(), idle(), idle(1)
    selection = Guest.objects.filter(pk__in=[chosen.pk, active.pk])
    assert purge_guests(guests=selection) == 1
    assert remaining(chosen, other, active) == {other.pk, active.pk}


# PROTECT and RESTRICT -------------------------------------------------------------------


@pytest.mark.django_db
def test_protected_guest_is_skipped_and_the_rest_go():
    first, protected, last = by_pk(idle(), idle(), idle())
    Invoice.objects.create(owner=protected)
    Item.objects.create(owner=protected)
    reports = Reports()

    assert purge_guests(progress=reports) == 2
    assert remaining(first, protected, last) == {protected.pk}
    assert Guest.objects.filter(pk=protected.pk).exists()
    assert Item.objects.filter(owner=protected).count() == 1
    assert (reports[-1].skipped, reports[-1].protected_by) == (1, ("purgeapp.Invoice",))


@pytest.mark.django_db
def test_protected_guest_is_seen_once_per_run():
    _, protected, _ = by_pk(idle(), idle(), idle())
    Invoice.objects.create(owner=protected)
    reports = Reports()
    assert purge_guests(batch_size=1, progress=reports) == 2
    assert [(r.batches, r.deleted, r.skipped) for r in reports] == [
        (1, 1, 0),
        (2, 1, 1),
        (3, 2, 1),
        (3, 2, 1),
    ]


@pytest.mark.django_db
def test_restricted_guest_is_skipped():
    gone, restricted = idle(), idle()
    Refund.objects.create(owner=restricted)
    reports = Reports()

    assert purge_guests(progress=reports) == 1
    assert remaining(gone, restricted) == {restricted.pk}
    assert (reports[-1].skipped, reports[-1].protected_by) == (1, ("purgeapp.Refund",))


@pytest.mark.django_db
def test_restrict_follows_django_when_the_row_cascades_from_the_same_guest():
    # Django lets a RESTRICT row go when the same deletion reaches it through
    # a CASCADE: this refund is for the guest's own item.
    guest = idle()
    Refund.objects.create(owner=guest, item=Item.objects.create(owner=guest))
    assert purge_guests() == 1
    assert not Refund.objects.exists()


@pytest.mark.parametrize("position", [0, 3, 6])
@pytest.mark.django_db
def test_protection_two_steps_away_skips_only_that_guest(position):
    # Receipt PROTECTs an Item that cascades from the guest: Django's collector
    # reports the receipt, not the guest, so the batch is split to find it.
    guests = by_pk(*[idle() for _ in range(7)])
    Receipt.objects.create(item=Item.objects.create(owner=guests[position]))
    reports = Reports()

    assert purge_guests(progress=reports) == 6
    assert remaining(*guests) == {guests[position].pk}
    assert (reports[-1].skipped, reports[-1].protected_by) == (1, ("purgeapp.Receipt",))
    assert reports[-1].batches == 1


@pytest.mark.django_db
def test_many_protected_guests_in_one_batch():
    guests = by_pk(*[idle() for _ in range(12)])
    protected = guests[::3]
    for guest in protected:
        Invoice.objects.create(owner=guest)
    Refund.objects.create(owner=guests[1])
    reports = Reports()

    # Named at once from the collector's report, not found guest by guest: a few
    # collection passes, each one SELECT per table related to the user (so the cap
    # follows the installed test apps, not the number of guests; tests.exportapp adds 3).
    with CaptureQueriesContext(connection) as queries:
        assert purge_guests(progress=reports) == 7
    # Beside the insights tally's statements (per batch and at the end of the run).
    tally = GuestDay._meta.db_table
    assert len([q for q in queries.captured_queries if tally not in q["sql"]]) <= 55
    assert remaining(*guests) == {g.pk for g in protected} | {guests[1].pk}
    assert reports[-1].skipped == 5
    assert reports[-1].protected_by == ("purgeapp.Invoice", "purgeapp.Refund")


@pytest.mark.django_db
def test_dry_run_counts_and_reports_protected_guests_without_deleting():
    idle()
    protected, deep = idle(), idle()
    Invoice.objects.create(owner=protected)
    Receipt.objects.create(item=Item.objects.create(owner=deep))
    reports = Reports()

    with Receiver(guests_purged) as received:
        assert purge_guests(dry_run=True, progress=reports) == 1
    assert Guest.objects.count() == 3
    assert received.calls == []
    final = reports[-1]
    assert (final.deleted, final.skipped, final.dry_run) == (1, 2, True)
    assert final.protected_by == ("purgeapp.Invoice", "purgeapp.Receipt")


# Signals --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_delete_receivers_of_deleted_rows_run():
    gone, kept = idle(), idle(1)
    Upload.objects.create(owner=gone, name="a.png")
    Upload.objects.create(owner=gone, name="b.png")
    Upload.objects.create(owner=kept, name="c.png")

    assert purge_guests(batch_size=1) == 1
    assert sorted(deleted_uploads) == [("a.png", gone.pk), ("b.png", gone.pk)]


@pytest.mark.django_db
def test_receivers_on_the_user_model_get_full_instances():
    guests = by_pk(idle(), idle())
    with Receiver(pre_delete, User()) as before, Receiver(post_delete, User()) as after:
        assert purge_guests() == 2
    assert {call["pk"] for call in before.calls} == {g.pk for g in guests}
    # Not deferred: what QuerySet.delete() would have passed.
    field = User().USERNAME_FIELD
    assert [call["deferred"] for call in before.calls] == [set(), set()]
    assert {getattr(c["instance"], field) for c in before.calls} == {
        getattr(g, field) for g in guests
    }
    assert len(after.calls) == 2
    assert before.calls[0]["origin"].model is User()


@pytest.mark.django_db
def test_receivers_on_the_guest_model_run():
    guests = by_pk(idle(), idle())
    with Receiver(post_delete, Guest) as received:
        assert purge_guests() == 2
    assert {call["pk"] for call in received.calls} == {g.pk for g in guests}


@pytest.mark.django_db
def test_guests_purged_sent_once_with_the_count():
    for _ in range(5):
        idle()
    with Receiver(guests_purged) as received:
        assert purge_guests(batch_size=2) == 5
    assert received.calls == [{"count": 5}]


@pytest.mark.django_db
def test_no_signal_when_nothing_went():
    Invoice.objects.create(owner=idle())
    with Receiver(guests_purged) as received:
        assert purge_guests() == 0
    assert received.calls == []


# Batches, limits, progress --------------------------------------------------------------


@pytest.mark.parametrize("count,batch_size", [(5, 2), (4, 2), (3, 1), (2, 5), (4, 4)])
@pytest.mark.django_db
def test_batches(count, batch_size):
    for _ in range(count):
        idle()
    keep = idle(29)
    reports = Reports()
    assert purge_guests(batch_size=batch_size, progress=reports) == count
    assert list(User().objects.values_list("pk", flat=True)) == [keep.pk]
    per_batch = [r.deleted for r in reports if not r.done]
    assert per_batch == [min(count, n * batch_size) for n in range(1, len(per_batch) + 1)]
    assert len(per_batch) == -(-count // batch_size)


@pytest.mark.django_db
def test_batch_size_default_from_settings(settings):
    settings.GUEST_AUTH_PURGE_BATCH_SIZE = 2
    for _ in range(3):
        idle()
    with CaptureQueriesContext(connection) as queries:
        assert purge_guests() == 3
    table = connection.ops.quote_name(Guest._meta.db_table)  # not guest_auth_guestday
    guest_deletes = [
        q for q in queries.captured_queries if q["sql"].startswith("DELETE") and table in q["sql"]
    ]
    assert len(guest_deletes) == 2  # one transaction per batch of two


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_the_batch():
    def queries_for(count):
        GuestDay.objects.all().delete()  # the same roll-up work for both runs
        for _ in range(count):
            Item.objects.create(owner=idle())
        with CaptureQueriesContext(connection) as queries:
            assert purge_guests(batch_size=100) == count
        return len(queries)

    assert queries_for(3) == queries_for(40)


@pytest.mark.django_db
def test_limit():
    guests = by_pk(*[idle() for _ in range(5)])
    reports = Reports()
    assert purge_guests(batch_size=2, limit=3, progress=reports) == 3
    assert remaining(*guests) == {g.pk for g in guests[3:]}
    assert [r.deleted for r in reports] == [2, 3, 3]
    assert reports[-1].stopped_by == "limit"
    assert purge_guests(limit=3) == 2


@pytest.mark.django_db
def test_limit_counts_deleted_guests_not_skipped_ones():
    guests = by_pk(*[idle() for _ in range(4)])
    Invoice.objects.create(owner=guests[0])
    assert purge_guests(batch_size=1, limit=2) == 2
    assert remaining(*guests) == {guests[0].pk, guests[3].pk}


@pytest.mark.django_db
def test_limit_not_reached_is_no_early_stop():
    idle()
    reports = Reports()
    assert purge_guests(limit=5, progress=reports) == 1
    assert reports[-1].stopped_by is None


@pytest.mark.django_db
def test_time_limit_stops_before_the_next_batch():
    guests = by_pk(*[idle() for _ in range(3)])
    reports = Reports()

    def slow(report):
        reports.append(report)
        time.sleep(0.3)

    assert purge_guests(batch_size=1, time_limit=0.2, progress=slow) == 1
    assert remaining(*guests) == {guests[1].pk, guests[2].pk}
    assert reports[-1].stopped_by == "time_limit"
    assert purge_guests(time_limit="1h") == 2


@pytest.mark.django_db
def test_progress_reports():
    for _ in range(3):
        idle()
    reports = Reports()
    purge_guests(batch_size=2, progress=reports)
    assert [(r.batches, r.deleted, r.done) for r in reports] == [
        (1, 2, False),
        (2, 3, False),
        (2, 3, True),
    ]
    assert all(r.elapsed >= 0 and not r.dry_run and r.stopped_by is None for r in reports)
    assert reports[0].elapsed <= reports[-1].elapsed


@pytest.mark.django_db
def test_empty_run_reports_once():
    reports = Reports()
    assert purge_guests(progress=reports) == 0
    assert [(r.batches, r.deleted, r.done) for r in reports] == [(0, 0, True)]


# Re-checks and errors -------------------------------------------------------------------


@pytest.mark.django_db
def test_guest_seen_or_promoted_during_the_run_is_kept():
    first, seen, promoted, last = by_pk(*[idle() for _ in range(4)])

    def between_batches(report):
        if report.batches == 1 and not report.done:
            Guest.objects.filter(pk=seen.pk).update(last_seen_at=timezone.now())
            promote_guest(None, promoted, password=PASSWORD, **promotion_fields())

    assert purge_guests(batch_size=1, progress=between_batches) == 2
    assert remaining(first, seen, promoted, last) == {seen.pk, promoted.pk}
    assert Guest.objects.filter(pk=seen.pk).exists()


@pytest.mark.django_db
def test_database_error_keeps_finished_batches():
    guests = by_pk(*[idle() for _ in range(3)])
    Upload.objects.create(owner=guests[1], name="breaks.png")

    def broken(sender, instance, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM purgeapp_no_such_table")

    post_delete.connect(broken, sender=Upload)
    try:
        with Receiver(guests_purged) as received, pytest.raises(DatabaseError):
            purge_guests(batch_size=1)
    finally:
        post_delete.disconnect(broken, sender=Upload)
    # The first batch stays done, the failing one rolled back, the rest untouched.
    assert remaining(*guests) == {guests[1].pk, guests[2].pk}
    assert Upload.objects.filter(owner=guests[1]).exists()
    assert received.calls == [{"count": 1}]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"older_than": 0}, "the duration must be positive, not 0."),
        ({"older_than": "-1d"}, None),
        ({"older_than": "soon"}, None),
        ({"batch_size": 0}, "batch_size must be a positive integer, not 0."),
        ({"batch_size": -3}, "batch_size must be a positive integer, not -3."),
        ({"batch_size": "10"}, "batch_size must be a positive integer, not '10'."),
        ({"limit": 0}, "limit must be a positive integer, not 0."),
        ({"limit": True}, "limit must be a positive integer, not True."),
        ({"time_limit": "0s"}, "time_limit: the duration must be positive, not '0s'."),
        ({"time_limit": "later"}, None),
    ],
)
@pytest.mark.django_db
def test_rejects_bad_arguments(kwargs, message):
    idle(60)
    with pytest.raises(ValueError) as excinfo:
        purge_guests(**kwargs)
    if message is not None:
        assert str(excinfo.value) == message
    assert Guest.objects.count() == 1


# Concurrency: real transactions in other processes -------------------------------------


class HeldPromotion(threading.Thread):
    """Promotes ``user`` in a transaction of its own, kept open until release()."""

    def __init__(self, user):
        super().__init__(daemon=True)
        self.user = user
        self.promoted = threading.Event()
        self.released = threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                promote_guest(None, self.user, password=PASSWORD, **promotion_fields(9))
                self.promoted.set()
                self.released.wait(60)
        except Exception as exc:  # surfaced by release()
            self.error = exc
            self.promoted.set()
        finally:
            connection.close()

    def release(self):
        self.released.set()
        self.join(30)
        assert self.error is None


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_promotions_during_a_purge_in_another_process():
    g0, g1, seen, promoted = by_pk(*[idle() for _ in range(4)])
    held = idle()
    for guest in (g0, g1, seen, promoted, held):
        Note.objects.create(user=guest, text="note")
    # A promotion in progress: its transaction holds the guest's rows.
    holder = HeldPromotion(held)
    holder.start()
    assert holder.promoted.wait(30)

    worker = Worker("--batch-size", "1", "--pause-after", "1")
    try:
        worker.expect("ready")
        worker.send()
        worker.expect("paused")  # g0 is gone, committed
        assert remaining(g0) == set()
        # While the purge is under way: one guest signs up, another comes back.
        promote_guest(None, promoted, password=PASSWORD, **promotion_fields())
        Guest.objects.filter(pk=seen.pk).update(last_seen_at=timezone.now())
        worker.send()
        # The purge finishes without waiting for the held promotion.
        result = worker.result()
        assert (result["count"], result["skipped"]) == (2, 0)
    finally:
        holder.release()
        worker.proc.kill()

    assert remaining(g0, g1, seen, promoted, held) == {seen.pk, promoted.pk, held.pk}
    assert set(Guest.objects.values_list("pk", flat=True)) == {seen.pk}
    for user in (promoted, held):
        assert User().objects.get(pk=user.pk).has_usable_password()
        assert Note.objects.filter(user=user).count() == 1


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_killed_purge_leaves_finished_batches_and_a_rerun_finishes():
    first, second, third = by_pk(idle(), idle(), idle())
    Item.objects.create(owner=second)
    Upload.objects.create(owner=second, name="second.png")
    worker = Worker("--batch-size", "1", "--hang-in-upload-delete")
    try:
        worker.expect("ready")
        worker.send()
        worker.expect("deleting")  # inside the second batch's transaction
    finally:
        worker.proc.kill()
        worker.proc.wait(30)

    # Wait for the server to notice and roll the open transaction back.
    with transaction.atomic():
        list(Guest.objects.select_for_update().filter(pk=second.pk))
    # The first batch is committed, the second rolled back whole.
    assert remaining(first, second, third) == {second.pk, third.pk}
    assert Guest.objects.filter(pk=second.pk).exists()
    assert Item.objects.filter(owner=second).exists()
    assert Upload.objects.filter(owner=second).exists()
    with Receiver(guests_purged) as received:
        assert purge_guests() == 2
    assert remaining(first, second, third) == set()
    assert received.calls == [{"count": 2}]


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_purges_in_parallel_delete_each_guest_once():
    with transaction.atomic():
        guests = [idle() for _ in range(150)]
        protected = guests[::50]
        Item.objects.bulk_create([Item(owner=g) for g in guests])
        Comment.objects.bulk_create([Comment(author=g) for g in guests])
        Invoice.objects.bulk_create([Invoice(owner=g) for g in protected])
        Upload.objects.bulk_create([Upload(owner=g, name=f"{g.pk}.png") for g in guests[1:41]])

    workers = [Worker("--batch-size", "7") for _ in range(2)]
    try:
        for worker in workers:
            worker.expect("ready")
        for worker in workers:
            worker.send()
        results = [worker.result(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            worker.proc.kill()

    assert sum(r["count"] for r in results) == len(guests) - len(protected)
    if connection.vendor == "postgresql":
        # Each purge deletes only rows it locked: nothing to deadlock on. (MariaDB
        # may scan past them and deadlock; the batch is then taken again.)
        assert [r["stderr"] for r in results] == ["", ""]
    assert set(Guest.objects.values_list("pk", flat=True)) == {g.pk for g in protected}
    assert Item.objects.count() == len(protected)
    assert not Comment.objects.exclude(author=None).exclude(author__in=protected).exists()
    assert not Upload.objects.exists()


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_batch_rolled_back_by_a_deadlock_is_taken_again(caplog):
    first, second = by_pk(idle(), idle())
    Upload.objects.create(owner=first, name="first.png")
    regular = UserFactory()
    Comment.objects.bulk_create([Comment(author=None) for _ in range(200)])
    deleting, holding, finished = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def other_transaction():
        # Takes a row the purge will want, then waits for one the purge holds.
        # It has changed more rows than the purge, so MariaDB picks the purge
        # as the victim; on PostgreSQL the purge, waiting longer, detects it.
        try:
            assert deleting.wait(30)
            with transaction.atomic():
                Comment.objects.update(author=regular)
                holding.set()
                time.sleep(0.3)
                list(Guest.objects.select_for_update().filter(pk=second.pk))
                finished.wait(30)
        except Exception as exc:
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    def on_upload_deleted(sender, instance, **kwargs):
        if not deleting.is_set():
            deleting.set()
            assert holding.wait(30)
            Comment.objects.filter(pk=Comment.objects.order_by("pk")[0].pk).update(author=None)

    other = threading.Thread(target=other_transaction, daemon=True)
    other.start()
    post_delete.connect(on_upload_deleted, sender=Upload)
    try:
        with caplog.at_level("WARNING", logger="guest_auth.purge"):
            # The second guest is still locked by the other transaction when
            # the batch is taken again: skipped, not waited for.
            assert purge_guests(batch_size=2) == 1
    finally:
        post_delete.disconnect(on_upload_deleted, sender=Upload)
        finished.set()
        other.join(30)
    assert errors == []
    assert remaining(first, second) == {second.pk}
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Purge batch rolled back by a concurrent write; taking it again"
    ]


@pytest.mark.django_db
def test_keys_go_to_postgresql_as_one_array_literal():
    from uuid import UUID

    from guest_auth._purge.sql import array_literal as _array_literal

    texts = ["plain", 'quo"te', "back\\slash", "com,ma", "{brace}", "", "NULL", "sp ace"]
    uuid = UUID("12345678-1234-5678-1234-567812345678")
    assert _array_literal([3, 1, 2]) == "{3,1,2}"
    assert _array_literal([uuid]) == "{12345678-1234-5678-1234-567812345678}"
    assert _array_literal([1.5]) is None  # left to the driver
    assert _array_literal([1, "a"]) is None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s::text[], %s::uuid[]", [_array_literal(texts), _array_literal([uuid])]
            )
            assert cursor.fetchone() == (texts, [uuid])
