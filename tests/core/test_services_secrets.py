"""API tokens and device credentials in guest_auth.services (no DRF needed)."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import override_settings
from django.utils import timezone

from guest_auth import _session, _state, _tokens, services
from guest_auth.exceptions import AlreadyAuthenticated, GuestCreationDenied
from guest_auth.models import APIToken, DeviceCredential, Guest
from guest_auth.services import promote_guest, purge_guests
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory, username_for
from tests.helpers.sessions import make_request

User = get_user_model

BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def api_guest():
    """(user, token, credential) created as the API does."""
    return _tokens.create_api_guest(make_request())


def promotion_fields(n=1):
    fields = {User().USERNAME_FIELD: username_for(1000 + n)}
    if User().USERNAME_FIELD != "email":
        fields["email"] = f"promoted{n}@example.com"
    return fields


def stored_text(*models):
    """Every value stored in the rows of ``models``, as text."""
    return " ".join(
        str(value) for model in models for row in model.objects.values_list() for value in row
    )


def age(user, days):
    past = timezone.now() - timedelta(days=days)
    Guest.objects.filter(pk=user.pk).update(last_seen_at=past)
    APIToken.objects.filter(user=user).update(last_used_at=past)


# creation -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_api_guest_logs_in_and_issues_one_token_and_one_credential():
    request = make_request()
    user, token, credential = _tokens.create_api_guest(request)
    assert Guest.objects.filter(pk=user.pk).exists()
    assert request.session[SESSION_KEY] == str(user.pk)
    assert APIToken.objects.get().user == user
    assert DeviceCredential.objects.get().user == user
    assert token != credential


@pytest.mark.django_db
def test_secrets_are_stored_only_as_sha256_of_their_secret_part():
    _, token, credential = api_guest()
    stored = stored_text(APIToken, DeviceCredential)
    for raw, model in ((token, APIToken), (credential, DeviceCredential)):
        lookup, secret = raw.split(".")
        assert secret not in stored
        row = model.objects.get(lookup=lookup)
        assert row.digest == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.django_db
def test_create_api_guest_refused_writes_nothing():
    with pytest.raises(GuestCreationDenied):
        _tokens.create_api_guest(make_request(user_agent=BOT_UA))
    request = make_request()
    request.user = UserFactory()
    with pytest.raises(AlreadyAuthenticated):
        _tokens.create_api_guest(request)
    assert (Guest.objects.count(), APIToken.objects.count(), DeviceCredential.objects.count()) == (
        0,
        0,
        0,
    )
    assert User().objects.count() == 1  # the regular user above


@pytest.mark.django_db
def test_create_api_guest_is_all_or_nothing(monkeypatch):
    def fail(user):
        raise RuntimeError("disk full")

    monkeypatch.setattr(_tokens, "issue_device_credential", fail)
    with pytest.raises(RuntimeError):
        api_guest()
    assert (User().objects.count(), Guest.objects.count(), APIToken.objects.count()) == (0, 0, 0)


# token authentication ---------------------------------------------------------------------


@pytest.mark.django_db
def test_token_authenticates_its_guest_in_one_query(django_assert_num_queries):
    user, token, _ = api_guest()
    request = make_request()
    with django_assert_num_queries(1):
        found, row = _tokens.authenticate_api_token(request, token)
        assert services.is_guest(found) is True  # no query: cached from the join
    assert found == user and row == APIToken.objects.get()
    assert _state.of(request).api_token == row


@pytest.mark.django_db
def test_token_of_a_regular_user_is_not_a_guest(django_assert_num_queries):
    user, token, _ = api_guest()
    request = make_request()
    _tokens.authenticate_api_token(request, token)
    promote_guest(request, user, password=PASSWORD, **promotion_fields())
    with django_assert_num_queries(1):
        found, _ = _tokens.authenticate_api_token(None, token)
        assert services.is_guest(found) is False


@pytest.mark.django_db
def test_wrong_or_malformed_tokens_authenticate_nobody(django_assert_num_queries):
    _, token, credential = api_guest()
    _, other_token, _ = api_guest()
    lookup, secret = token.split(".")
    wrong_secret = f"{lookup}.{other_token.split('.')[1]}"
    assert _tokens.authenticate_api_token(None, wrong_secret) is None
    assert _tokens.authenticate_api_token(None, credential) is None  # not a token
    with django_assert_num_queries(0):
        for garbage in (None, "", token + "x", token.upper(), secret, b"x"):
            assert _tokens.authenticate_api_token(None, garbage) is None


@pytest.mark.django_db
def test_token_expires_after_max_inactivity_without_use(settings):
    settings.GUEST_AUTH_MAX_INACTIVITY = "10d"
    user, token, _ = api_guest()
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=9))
    assert _tokens.authenticate_api_token(None, token)[0] == user
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=10, seconds=1))
    assert _tokens.authenticate_api_token(None, token) is None
    assert not APIToken.objects.exists()  # deleted when presented


@pytest.mark.django_db
def test_token_of_an_inactive_user_authenticates_nobody():
    user, token, _ = api_guest()
    User().objects.filter(pk=user.pk).update(is_active=False)
    assert _tokens.authenticate_api_token(None, token) is None


@pytest.mark.django_db
def test_token_use_is_guest_activity_written_once_per_interval(django_assert_num_queries):
    _, token, _ = api_guest()
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Guest.objects.update(last_seen_at=two_hours_ago)
    APIToken.objects.update(last_used_at=two_hours_ago)
    with django_assert_num_queries(3):  # the read, then both timestamps
        _tokens.authenticate_api_token(None, token)
    seen = Guest.objects.get().last_seen_at
    assert seen > two_hours_ago
    assert APIToken.objects.get().last_used_at == seen
    with django_assert_num_queries(1):  # within GUEST_AUTH_ACTIVITY_INTERVAL: no write
        _tokens.authenticate_api_token(None, token)


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ACTIVITY_INTERVAL="30s")
def test_activity_interval_is_per_token(django_assert_num_queries):
    _, token, _ = api_guest()
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(seconds=31))
    with django_assert_num_queries(3):
        _tokens.authenticate_api_token(None, token)


# device credentials ---------------------------------------------------------------------


@pytest.mark.django_db
def test_credential_logs_its_guest_in_with_a_fresh_token():
    user, token, credential = api_guest()
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=3))
    request = make_request()
    found, new_token = _tokens.login_with_device_credential(request, credential)
    assert found == user and services.is_guest(found)
    assert request.user == user
    assert request.session[SESSION_KEY] == str(user.pk)
    assert request.session[_session.GUEST_SESSION_KEY] == str(user.pk)
    assert new_token != token and APIToken.objects.filter(user=user).count() == 2
    assert _tokens.authenticate_api_token(None, new_token)[0] == user
    assert Guest.objects.get().last_seen_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_a_credential_never_logs_in_another_guest():
    guests = [api_guest() for _ in range(3)]
    for user, _, credential in guests:
        assert _tokens.login_with_device_credential(make_request(), credential)[0] == user
    # Every other combination of one guest's lookup and another's secret fails.
    for _, _, credential_a in guests:
        for _, _, credential_b in guests:
            if credential_a != credential_b:
                mixed = credential_a.split(".")[0] + "." + credential_b.split(".")[1]
                assert _tokens.login_with_device_credential(make_request(), mixed) is None


@pytest.mark.django_db
def test_bad_credentials_log_nobody_in(django_assert_num_queries):
    _, token, credential = api_guest()
    assert _tokens.login_with_device_credential(make_request(), token) is None
    request = make_request()
    with django_assert_num_queries(0):
        for garbage in (None, 7, "", credential + "=", credential[:-1]):
            assert _tokens.login_with_device_credential(request, garbage) is None
    assert SESSION_KEY not in request.session


@pytest.mark.django_db
def test_credential_expires_with_the_guest(settings):
    settings.GUEST_AUTH_MAX_INACTIVITY = "10d"
    user, _, credential = api_guest()
    age(user, 9)
    assert _tokens.login_with_device_credential(make_request(), credential)[0] == user
    age(user, 11)
    assert _tokens.login_with_device_credential(make_request(), credential) is None


@pytest.mark.django_db
def test_credential_of_a_user_no_longer_a_guest_logs_nobody_in():
    user, _, credential = api_guest()
    Guest.objects.filter(pk=user.pk).delete()  # not through promote_guest
    assert DeviceCredential.objects.exists()
    assert _tokens.login_with_device_credential(make_request(), credential) is None


@pytest.mark.django_db
def test_credential_of_an_inactive_guest_user_logs_nobody_in():
    user, _, credential = api_guest()
    User().objects.filter(pk=user.pk).update(is_active=False)
    assert _tokens.login_with_device_credential(make_request(), credential) is None


# promotion and purge ----------------------------------------------------------------------


@pytest.mark.django_db
def test_promote_guest_revokes_credentials_and_every_token_without_a_request():
    user, token, credential = api_guest()
    promote_guest(None, user, password=PASSWORD, **promotion_fields())
    assert not DeviceCredential.objects.exists()
    assert not APIToken.objects.exists()
    assert _tokens.login_with_device_credential(make_request(), credential) is None
    assert _tokens.authenticate_api_token(None, token) is None


@pytest.mark.django_db
def test_promote_guest_keeps_the_token_the_request_authenticated_with():
    user, token, credential = api_guest()
    _, other_token = _tokens.login_with_device_credential(make_request(), credential)
    other_guest, other_guests_token, _ = api_guest()
    request = make_request()
    user, _ = _tokens.authenticate_api_token(request, token)
    promote_guest(request, user, password=PASSWORD, **promotion_fields())
    assert _tokens.authenticate_api_token(None, token)[0] == user
    assert _tokens.authenticate_api_token(None, other_token) is None
    assert _tokens.login_with_device_credential(make_request(), credential) is None
    # Another guest's secrets are untouched.
    assert _tokens.authenticate_api_token(None, other_guests_token)[0] == other_guest
    assert DeviceCredential.objects.get().user == other_guest


@pytest.mark.django_db
def test_purge_takes_tokens_and_credentials_with_the_guest():
    idle, _, _ = api_guest()
    active, _, _ = api_guest()
    age(idle, 31)
    assert purge_guests() == 1
    assert set(APIToken.objects.values_list("user_id", flat=True)) == {active.pk}
    assert set(DeviceCredential.objects.values_list("user_id", flat=True)) == {active.pk}


@pytest.mark.django_db
def test_secret_rows_read_well_in_the_admin():
    user = GuestFactory().user
    _tokens.issue_api_token(user)
    _tokens.issue_device_credential(user)
    assert str(APIToken.objects.get()) == APIToken.objects.get().lookup + "…"
    assert str(DeviceCredential.objects.get()) == DeviceCredential.objects.get().lookup + "…"


@pytest.mark.django_db
@pytest.mark.parametrize("function", ["authenticate_api_token", "login_with_device_credential"])
def test_secrets_are_hidden_from_error_reports(monkeypatch, function):
    import sys

    from django.views.debug import ExceptionReporter

    _, token, credential = api_guest()
    raw = token if function == "authenticate_api_token" else credential

    class BrokenSettings:
        @property
        def MAX_INACTIVITY(self):
            raise RuntimeError("database went away")

    # Fails in the service's own frame, once it holds the secret in every form.
    monkeypatch.setattr(_tokens, "guest_settings", BrokenSettings())
    request = make_request()
    try:
        getattr(_tokens, function)(request, raw)
    except RuntimeError:
        exc_type, exc, traceback = sys.exc_info()
        # From the service's frame down: this test's own locals hold the secret.
        report = ExceptionReporter(request, exc_type, exc, traceback.tb_next).get_traceback_html()
    assert "database went away" in report
    assert raw.split(".")[1] not in report


@pytest.mark.django_db
def test_merging_a_guest_deletes_its_tokens_and_credentials_instead_of_moving_them():
    # Moved to the account, the guest's token would log its other clients into it.
    guest, token, _ = api_guest()
    account = UserFactory()
    own_token = _tokens.issue_api_token(account)
    services.merge_guest(guest, account)
    assert not User().objects.filter(pk=guest.pk).exists()
    assert list(APIToken.objects.values_list("user_id", flat=True)) == [account.pk]
    assert not DeviceCredential.objects.exists()
    assert _tokens.authenticate_api_token(None, token) is None
    assert _tokens.authenticate_api_token(None, own_token)[0] == account
