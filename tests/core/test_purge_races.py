"""A returning guest, a background write, a self-deletion or a merge racing a
purge batch, on real concurrent connections (PostgreSQL and MariaDB).

The purge (or the deletion, or the merge) runs in the test's thread; the
other party runs in a thread of its own, on its own database connection,
started by a receiver inside the batch's transaction at one of three moments:

- ``locked``: the batch has locked its guests and not yet looked for their
  rows. On the old code the returning guest's write landed, was collected
  and purged with the guest: a 200 for a write that did not survive.
- ``deleting``: the batch is deleting the rows it collected. The new row
  arrived too late to be collected: the foreign key check failed at the
  batch's COMMIT (PostgreSQL) or at its DELETE (MariaDB), aborting the run.
- ``deleted``: the batch has deleted the user. The visitor's INSERT waited
  for the batch, then failed its foreign key check: a 500.

SQLite has one writer at a time, so there is no race to run there: these
tests skip on SQLite, and only there.
"""

import threading
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.test import AsyncClient, Client, RequestFactory
from django.utils import timezone

from guest_auth._login import merge_at_login
from guest_auth._session import GUEST_SESSION_KEY, SEEN_SESSION_KEY
from guest_auth.models import Guest, GuestDay
from guest_auth.services import delete_guest, purge_guests
from guest_auth.signals import guests_purged
from guest_auth.testing import isolated_rate_limits, log_in_guest
from tests.helpers.factories import GuestFactory, UserFactory
from tests.purgeapp.models import Upload
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db(transaction=True)

race = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite has one writer at a time: no race to run"
)

# How long the batch waits, inside its transaction, for the other party's
# write: long enough for a write that does not wait for the batch to land.
PATIENCE = 1.5


def User():
    return get_user_model()


# Where the other party is let in, inside the batch: (signal, sender).
MOMENTS = {
    # The batch loads its users once their Guest rows are locked.
    "locked": lambda: (post_init, User()),
    # Upload rows are deleted one by one, with signals, before the user.
    "deleting": lambda: (post_delete, Upload),
    # A post_delete receiver on the user model makes the batch delete users
    # with signals too.
    "deleted": lambda: (post_delete, User()),
}


class Party(threading.Thread):
    """Runs ``action`` on a database connection of its own. ``wrote`` is set
    once it has saved a Note (autocommit: the row is committed)."""

    def __init__(self, action):
        super().__init__(daemon=True)
        self.action = action
        self.wrote = threading.Event()
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.action()
        except Exception as exc:
            self.error = exc
        finally:
            connection.close()


def _note_saved(sender, instance, created, **kwargs):
    thread = threading.current_thread()
    if created and isinstance(thread, Party):
        thread.wrote.set()


@pytest.fixture(autouse=True)
def _watch_notes():
    post_save.connect(_note_saved, sender=Note)
    yield
    post_save.disconnect(_note_saved, sender=Note)


class Sent:
    """The keyword arguments of every guests_purged sent meanwhile."""

    def __init__(self):
        self.calls = []

    def __call__(self, sender, signal, **kwargs):
        self.calls.append(kwargs)

    def __enter__(self):
        guests_purged.connect(self)
        return self

    def __exit__(self, *exc):
        guests_purged.disconnect(self)


def racing(moment, party, operation):
    """Run ``operation()`` here, letting ``party`` in at ``moment`` (once);
    return what it returned, or the database error that stopped it."""
    signal, sender = MOMENTS[moment]()
    here = threading.current_thread()

    def let_in(**kwargs):
        if threading.current_thread() is here and party.ident is None:
            party.start()
            # A write that does not wait for the batch lands meanwhile.
            party.wrote.wait(PATIENCE)

    signal.connect(let_in, sender=sender, weak=False)
    try:
        try:
            outcome = operation()
        except DatabaseError as exc:
            outcome = exc
    finally:
        signal.disconnect(let_in, sender=sender)
    if party.ident is not None:
        party.join(60)
        assert not party.is_alive(), "the other party is still waiting"
    return outcome


def idle_guest():
    """A guest last seen 40 days ago (the window is 30), owning an Upload: the
    batch deletes Uploads with signals (tests.purgeapp.receivers)."""
    user = GuestFactory(last_seen_at=timezone.now() - timedelta(days=40)).user
    Upload.objects.create(owner=user, name="old.png")
    return user


def returning(user, client=None):
    """A browser logged in as the guest ``user``, whose session last wrote the
    guest's activity 40 days ago: its next request comes back from idleness."""
    client = client or Client(raise_request_exception=False)
    log_in_guest(client, user)
    session = client.session
    session[SEEN_SESSION_KEY] = time.time() - 40 * 86400
    session.save()
    return client


def purged_total():
    return GuestDay.objects.aggregate(total=Sum("purged"))["total"] or 0


@race
@pytest.mark.parametrize("view", ["sync", "async"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_returning_guest_never_loses_an_acknowledged_write_to_the_purge(moment, view):
    guest = idle_guest()
    if view == "sync":
        client = returning(guest)
        party = Party(lambda: client.post("/notes/add/", {"text": "kept"}))
    else:
        aclient = returning(guest, AsyncClient(raise_request_exception=False))
        party = Party(lambda: async_to_sync(aclient.post)("/notes/async-add/", {"text": "kept"}))

    with Sent() as sent, isolated_rate_limits():
        outcome = racing(moment, party, purge_guests)

    assert party.error is None
    response = party.result
    # Neither a 500 for the visitor nor an aborted run.
    assert response.status_code == 200, response.content[:300]
    assert outcome == 1
    # The request claimed its guest before its view ran: the batch held the
    # guest, so the request waited for it, found the guest purged and went on
    # as a fresh visitor, who got a guest of its own.
    assert not User().objects.filter(pk=guest.pk).exists()
    owner = response.json()
    assert owner["is_guest"] is True
    assert owner["pk"] != str(guest.pk)
    # What the visitor was told was saved, was.
    [note] = Note.objects.filter(text="kept")
    assert str(note.user_id) == owner["pk"]
    assert Guest.objects.filter(pk=note.user_id).exists()
    # The counts are exact.
    assert sent.calls == [{"count": 1}]
    assert purged_total() == 1


def test_a_returning_guest_claims_itself_before_a_batch_locks_it():
    guest = idle_guest()
    client = returning(guest)
    response = client.post("/notes/add/", {"text": "kept"})
    assert response.json()["pk"] == str(guest.pk)
    # Its activity was written by that request: it is no longer idle.
    assert purge_guests() == 0
    assert Note.objects.get(text="kept").user_id == guest.pk
    # Within the interval, its next requests write nothing.
    assert client.post("/notes/add/", {"text": "again"}).json()["pk"] == str(guest.pk)


@race
def test_a_batch_a_row_arrived_in_is_taken_again(caplog):
    # A write that claims nothing (a background job, a site's own code): the
    # batch rolls back and is taken again, with the new row.
    guest = idle_guest()
    party = Party(lambda: Note.objects.create(user_id=guest.pk, text="late"))

    with Sent() as sent, caplog.at_level("WARNING", logger="guest_auth.purge"):
        outcome = racing("deleting", party, purge_guests)

    assert outcome == 1
    assert party.error is None
    assert not User().objects.filter(pk=guest.pk).exists()
    assert not Note.objects.exists()
    assert not Upload.objects.exists()
    assert sent.calls == [{"count": 1}]
    assert purged_total() == 1
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Purge batch rolled back by a concurrent write; taking it again"
    ]


@race
def test_self_deletion_takes_its_transaction_again_when_a_row_arrives():
    guest = idle_guest()
    party = Party(lambda: Note.objects.create(user_id=guest.pk, text="late"))

    with Sent() as sent:
        outcome = racing("deleting", party, lambda: delete_guest(None, guest))

    assert outcome is None  # deleted, no error
    assert party.error is None
    assert not User().objects.filter(pk=guest.pk).exists()
    assert not Note.objects.exists()
    assert sent.calls == [{"count": 1}]
    assert purged_total() == 1


@race
def test_a_merge_never_drops_a_row_the_guest_writes_meanwhile():
    guest = GuestFactory().user
    Note.objects.create(user=guest, text="before")
    user = UserFactory()
    request = RequestFactory().get("/")
    party = Party(lambda: Note.objects.create(user_id=guest.pk, text="late"))

    # The merge deletes the guest once its rows are moved: pre_delete of the
    # user model is sent then, before anything is deleted.
    MOMENTS["merging"] = lambda: (pre_delete, User())
    try:
        outcome = racing("merging", party, lambda: merge_at_login(request, guest, user))
    finally:
        del MOMENTS["merging"]

    assert outcome is True
    assert not Guest.objects.filter(pk=guest.pk).exists()
    moved = sorted(Note.objects.filter(user=user).values_list("text", flat=True))
    if party.error is None:
        # It landed before the merge locked the guest: moved with the rest.
        assert moved == ["before", "late"]
    else:
        # It waited for the merge, then failed: never acknowledged, never lost.
        assert isinstance(party.error, DatabaseError), party.error
        assert moved == ["before"]
    assert not Note.objects.exclude(user=user).exists()


@pytest.mark.parametrize("path", ["/guest-view/", "/async-guest-view/"])
def test_a_guest_promoted_elsewhere_comes_back_as_the_regular_user(path):
    # Its Guest row is gone but its user is not: the claim finds no row, and
    # the request goes on as the regular user, the session's marker dropped.
    guest = idle_guest()
    client = returning(guest, AsyncClient() if path.startswith("/async") else Client())
    # What a promotion that sets no password (a social signup, a passkey)
    # leaves: the user, and a session whose auth hash still holds.
    Guest.objects.filter(pk=guest.pk).delete()
    if isinstance(client, AsyncClient):
        response = async_to_sync(client.get)(path)
    else:
        response = client.get(path)
    assert response.json() == {"authenticated": True, "pk": str(guest.pk), "is_guest": False}
    assert GUEST_SESSION_KEY not in client.session
    assert purge_guests() == 0


def _note_view():
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication

    class NoteView(APIView):
        authentication_classes = [GuestTokenAuthentication]
        permission_classes = [IsAuthenticated]

        def post(self, request):
            note = Note.objects.create(user=request.user, text="kept")
            return Response({"pk": str(note.user_id)})

    return NoteView.as_view()


@race
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_an_api_guest_coming_back_is_claimed_before_its_view_runs(moment):
    pytest.importorskip("rest_framework")
    from rest_framework.test import APIRequestFactory

    from guest_auth._tokens import issue_api_token
    from guest_auth.models import APIToken

    # A token last used two days ago: valid, its use due to be written, and
    # its guest idle for a purge of guests idle for a day.
    guest = idle_guest()
    two_days_ago = timezone.now() - timedelta(days=2)
    Guest.objects.filter(pk=guest.pk).update(last_seen_at=two_days_ago)
    raw = issue_api_token(guest)
    APIToken.objects.filter(user=guest).update(last_used_at=two_days_ago)
    view = _note_view()

    def post():
        request = APIRequestFactory().post("/", HTTP_AUTHORIZATION=f"Token {raw}")
        return view(request)

    party = Party(post)
    outcome = racing(moment, party, lambda: purge_guests(older_than="1d"))

    assert party.error is None
    assert outcome == 1
    # Its authentication waited for the batch and found the guest gone: the
    # view never ran as it.
    assert party.result.status_code in (401, 403)
    assert not Note.objects.exists()
