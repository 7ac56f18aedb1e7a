"""promote_guest() (guest_auth._promote): a guest becomes a regular user in place."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import override_settings

from guest_auth import _login, _promote, _session
from guest_auth.exceptions import NotAGuest
from guest_auth.models import Guest
from guest_auth.services import create_guest, is_guest, promote_guest
from guest_auth.signals import guest_promoted
from tests.helpers.factories import PASSWORD
from tests.helpers.sessions import make_request
from tests.helpers.signals import Receiver
from tests.testapp.hashers import CountingHasher
from tests.testapp.models import Note

User = get_user_model


# promote_guest ----------------------------------------------------------------------


def _promotion_fields(n=1):
    model = User()
    fields = {
        model.USERNAME_FIELD: f"kept{n}@example.com"
        if model.USERNAME_FIELD == "email"
        else f"kept{n}"
    }
    return fields


@pytest.mark.django_db
def test_promote_keeps_primary_key_rows_and_login():
    request = make_request()
    guest = create_guest(request)
    Note.objects.create(user=guest, text="mine")
    pk = guest.pk
    with Receiver(guest_promoted) as received:
        user = promote_guest(request, guest, password=PASSWORD, **_promotion_fields())
    user = User().objects.get(pk=pk)
    assert user.check_password(PASSWORD)
    assert getattr(user, user.USERNAME_FIELD) == _promotion_fields()[user.USERNAME_FIELD]
    assert not Guest.objects.filter(pk=pk).exists()
    assert list(user.notes.values_list("text", flat=True)) == ["mine"]
    assert not is_guest(request.user)
    assert _session.GUEST_SESSION_KEY not in request.session
    assert request.session[SESSION_KEY] == str(pk)
    # The session auth hash follows the new password, so the session stays valid.
    assert request.session["_auth_user_hash"] == user.get_session_auth_hash()
    assert received.calls == [{"request": request, "user": guest, "method": "password"}]


@pytest.mark.django_db
def test_promote_rotates_session_key():
    request = make_request()
    create_guest(request)
    key = request.session.session_key
    request.session.save()
    promote_guest(request, request.user, password=PASSWORD, **_promotion_fields())
    assert request.session.session_key != key


@pytest.mark.django_db
def test_promote_without_password_still_signs_out_other_sessions(guest_user):
    old_hash = guest_user.get_session_auth_hash()
    promote_guest(None, guest_user, method="social:dummy", **_promotion_fields())
    guest_user.refresh_from_db()
    assert not guest_user.has_usable_password()
    assert guest_user.get_session_auth_hash() != old_hash


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["tests.testapp.hashers.CountingHasher"])
def test_promote_can_write_a_hash_the_caller_already_set(guest_user):
    # allauth's save_user() hashes the password onto the instance; promotion
    # writes that hash instead of hashing again.
    guest_user.set_password(PASSWORD)
    CountingHasher.calls = 0
    with Receiver(guest_promoted) as received:
        promote_guest(
            None,
            guest_user,
            method="password",
            password=_promote.PASSWORD_ALREADY_SET,
            **_promotion_fields(),
        )
    assert CountingHasher.calls == 0
    user = User().objects.get(pk=guest_user.pk)
    assert user.check_password(PASSWORD)
    assert not Guest.objects.filter(pk=guest_user.pk).exists()
    assert received.calls == [{"request": None, "user": guest_user, "method": "password"}]


@pytest.mark.django_db
def test_watching_a_session_twice_reports_its_flush_once(monkeypatch):
    # allauth replaces request.session mid-request; its account adapter then
    # watches the new session object, which must not stack wrappers.
    noted = []
    monkeypatch.setattr(_login, "_note_flush", lambda request, session: noted.append(session))
    request = make_request()
    _login.watch_session(request)
    request.session.flush()
    assert noted == [request.session]


@pytest.mark.django_db
def test_promote_refuses_regular_user(user):
    before = User().objects.values().get(pk=user.pk)
    with pytest.raises(NotAGuest):
        promote_guest(None, user, password="other-Pass-1234")
    assert User().objects.values().get(pk=user.pk) == before


@pytest.mark.django_db
def test_promote_rejects_unknown_fields(guest_user):
    with pytest.raises(TypeError, match="nickname"):
        promote_guest(None, guest_user, nickname="x")
    assert Guest.objects.filter(pk=guest_user.pk).exists()


@pytest.mark.django_db
def test_failing_promoted_receiver_undoes_promotion(guest_user):
    def explode(sender, **kwargs):
        raise RuntimeError("boom")

    guest_promoted.connect(explode)
    try:
        with pytest.raises(RuntimeError):
            promote_guest(None, guest_user, password=PASSWORD, **_promotion_fields())
    finally:
        guest_promoted.disconnect(explode)
    assert Guest.objects.filter(pk=guest_user.pk).exists()
    assert not User().objects.get(pk=guest_user.pk).has_usable_password()
