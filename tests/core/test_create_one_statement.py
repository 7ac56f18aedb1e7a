"""Guest creation in one statement on PostgreSQL (guest_auth._create._insert_at_once).

Outside a transaction, the user row and its Guest row are written by one
data-modifying CTE: no BEGIN, no COMMIT, one round trip. These tests pin the
statements sent, the signals (the same as Model.save() sends, with the same
arguments), atomicity with post_save receivers, the lost creation race, and
the fallback to save() for user models that save themselves differently.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guest_auth._create import _saves_plainly
from guest_auth.models import Guest
from guest_auth.services import create_guest
from guest_auth.signals import guest_created
from tests.helpers.sessions import anonymous_session, make_request

# Collected on PostgreSQL only (tests/core/conftest.py); named on the command line
# elsewhere, it says why it does not run.
if connection.vendor != "postgresql":
    pytest.skip("PostgreSQL's path", allow_module_level=True)

pytestmark = [
    # Outside a test transaction: the one-statement path is for autocommit.
    pytest.mark.django_db(transaction=True),
]

User = get_user_model
USER_TABLE = get_user_model()._meta.db_table
GUEST_TABLE = Guest._meta.db_table


class Receiver:
    """Collects the keyword arguments of every send of a signal, and whether a
    transaction was open then."""

    def __init__(self, signal, sender=None):
        self.calls = []
        self.signal = signal
        self.sender = sender

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal")
        kwargs["sender"] = sender
        kwargs["in_transaction"] = connection.in_atomic_block
        kwargs["pk_then"] = kwargs["instance"].pk if "instance" in kwargs else None
        kwargs["rows_then"] = (
            Guest.objects.filter(pk=kwargs["instance"].pk).exists()
            if kwargs.get("instance") is not None and kwargs["instance"].pk is not None
            else None
        )
        self.calls.append(kwargs)

    def __enter__(self):
        self.signal.connect(self, sender=self.sender, weak=False)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self, sender=self.sender)


def creating_statements(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("INSERT", "WITH", "UPDATE", "DELETE"))
        and (USER_TABLE in q["sql"] or GUEST_TABLE in q["sql"])
    ]


def test_user_and_guest_rows_are_written_by_one_statement():
    request = make_request()
    with CaptureQueriesContext(connection) as captured:
        user = create_guest(request)
    writes = creating_statements(captured.captured_queries)
    # The CTE, then Django's login (update_last_login): nothing else writes them.
    assert len(writes) == 2, writes
    cte, last_login = writes
    assert cte.startswith(f'WITH u AS (INSERT INTO "{USER_TABLE}"')
    assert f'g AS (INSERT INTO "{GUEST_TABLE}"' in cte
    assert last_login.startswith(f'UPDATE "{USER_TABLE}" SET "last_login"')
    # No transaction around it (Django logs COMMIT; BEGIN is implicit): the
    # statement is followed by the session's work, not by a COMMIT.
    statements = [q["sql"] for q in captured.captured_queries]
    assert statements[0] == cte, statements
    assert not statements[1].startswith(("COMMIT", "SAVEPOINT", "RELEASE")), statements
    guest = Guest.objects.get(pk=user.pk)
    assert guest.race_key is None  # a new visitor: no session to race in
    assert guest.created_at == guest.last_seen_at
    assert request.session[SESSION_KEY] == str(user.pk)
    assert user._state.adding is False and user._state.db == "default"
    assert User().objects.get(pk=user.pk).get_username() == user.get_username()


def test_signals_are_those_of_save_with_the_same_arguments():
    model = get_user_model()
    with (
        Receiver(pre_save, model) as before,
        Receiver(post_save, model) as after,
        Receiver(guest_created) as created,
    ):
        user = create_guest(make_request())
    # Then Django's login saves last_login (update_fields): not ours.
    [pre] = [call for call in before.calls if call["update_fields"] is None]
    assert pre["instance"] is user
    assert (pre["sender"], pre["raw"], pre["using"], pre["update_fields"]) == (
        model,
        False,
        "default",
        None,
    )
    # The key pre_save saw (a default, such as a UUID, or none yet) is the one saved.
    assert pre["pk_then"] in (None, user.pk)
    # Nothing written yet when pre_save runs.
    assert pre["rows_then"] is None or pre["rows_then"] is False
    [post] = [call for call in after.calls if call["update_fields"] is None]
    assert post["instance"] is user
    assert post["pk_then"] == user.pk is not None
    assert (
        post["sender"],
        post["created"],
        post["raw"],
        post["using"],
        post["update_fields"],
    ) == (model, True, False, "default", None)
    # A post_save receiver shares the rows' transaction, as it shares save()'s.
    assert post["in_transaction"] is True
    [sent] = created.calls
    assert sent["user"] == user and sent["sender"] is Guest


def test_without_a_post_save_receiver_there_is_no_transaction():
    with Receiver(pre_save, get_user_model()) as before:
        create_guest(make_request())
    assert [call["in_transaction"] for call in before.calls if call["update_fields"] is None] == [
        False
    ]


def test_a_post_save_receiver_that_raises_takes_the_guest_back():
    def refuse(sender, instance, created, **kwargs):
        raise RuntimeError("profile service down")

    post_save.connect(refuse, sender=get_user_model(), dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            create_guest(make_request())
    finally:
        post_save.disconnect(sender=get_user_model(), dispatch_uid="test.refuse")
    assert not User().objects.exists()
    assert not Guest.objects.exists()


def test_request_that_lost_the_race_joins_the_winner_and_writes_nothing():
    key = anonymous_session(cart=["apple"])
    first, second = make_request(session_key=key), make_request(session_key=key)
    for request in (first, second):
        request.session.get(SESSION_KEY)
    winner = create_guest(first)
    with Receiver(guest_created) as created:
        joined = create_guest(second)
    assert joined == winner
    assert created.calls == []
    # The losing statement was rolled back whole: no user row of its own.
    assert list(User().objects.values_list("pk", flat=True)) == [winner.pk]
    assert second.session[SESSION_KEY] == str(winner.pk)


def test_late_request_with_a_stale_session_gets_its_own_guest():
    key = anonymous_session()
    first, second = make_request(session_key=key), make_request(session_key=key)
    for request in (first, second):
        request.session.get(SESSION_KEY)
    user_a = create_guest(first)
    Guest.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    user_b = create_guest(second)
    assert user_b != user_a
    assert Guest.objects.get(pk=user_b.pk).race_key is None
    assert User().objects.count() == 2


def test_other_integrity_errors_are_raised(monkeypatch):
    from django.db import IntegrityError

    from guest_auth.adapter import GuestAdapter

    model = get_user_model()
    taken = "taken@example.com"
    model.objects.create_user(**{model.USERNAME_FIELD: taken, "password": "x"})
    monkeypatch.setattr(GuestAdapter, "guest_username", lambda self, request: taken)
    with pytest.raises(IntegrityError):
        create_guest(make_request())
    assert User().objects.count() == 1
    assert not Guest.objects.exists()


def test_a_user_model_that_overrides_save_is_saved_by_its_save(monkeypatch):
    model = get_user_model()
    assert _saves_plainly(model)
    saved = []

    def save(self, *args, **kwargs):
        saved.append(self)
        super(model, self).save(*args, **kwargs)

    monkeypatch.setattr(model, "save", save, raising=False)
    assert not _saves_plainly(model)
    with CaptureQueriesContext(connection) as captured:
        user = create_guest(make_request())
    # Saved by its save(), then again by the login (last_login).
    assert saved == [user, user]
    writes = creating_statements(captured.captured_queries)
    # The current path: the user's own INSERT, then the Guest row's.
    assert writes[0].startswith(f'INSERT INTO "{USER_TABLE}"')
    assert writes[1].startswith(f'INSERT INTO "{GUEST_TABLE}"')
    assert Guest.objects.filter(pk=user.pk).exists()


def test_inside_a_transaction_the_current_path_is_kept():
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        user = create_guest(make_request())
    writes = creating_statements(captured.captured_queries)
    assert writes[0].startswith(f'INSERT INTO "{USER_TABLE}"')
    assert writes[1].startswith(f'INSERT INTO "{GUEST_TABLE}"')
    assert Guest.objects.filter(pk=user.pk).exists()
