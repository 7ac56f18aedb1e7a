"""Issue 13: nobody ever acts as, or inherits data of, an account they do not own.

One section per finding of the adversarial review; each test failed on the
code before its fix (see SECURITY.md).
"""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client, override_settings

from guest_auth import _session
from guest_auth.models import Guest
from tests.helpers.accounts import follow_reset_link, guest_with_note, reset_link_for
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import PASSWORD, UserFactory
from tests.testapp.models import Note

User = get_user_model

SIGNED_COOKIES = "django.contrib.sessions.backends.signed_cookies"


def browser():
    return Client(HTTP_USER_AGENT=BROWSER_UA)


def username_value(n):
    return f"taken{n}@example.com" if User().USERNAME_FIELD == "email" else f"taken{n}"


# 1. Strangers share one guest (signed-cookie sessions) -------------------------------


@pytest.mark.django_db
@override_settings(SESSION_ENGINE=SIGNED_COOKIES)
def test_two_clients_with_identical_signed_cookies_get_their_own_guests():
    first, second = browser(), browser()
    # Both visitors' anonymous sessions hold the same data: byte-identical cookies.
    first.get("/session-cart/", {"item": "apple"})
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    assert first.cookies["sessionid"].value == second.cookies["sessionid"].value
    one = first.get("/guest-view/").json()
    Note.objects.create(user_id=User()._meta.pk.to_python(one["pk"]), text="first's secret")
    two = second.get("/guest-view/").json()
    assert one["is_guest"] and two["is_guest"]
    assert one["pk"] != two["pk"]
    assert Guest.objects.count() == 2


@pytest.mark.django_db
@override_settings(SESSION_ENGINE=SIGNED_COOKIES)
def test_two_api_clients_with_identical_signed_cookies_get_their_own_guests():
    pytest.importorskip("rest_framework")
    first, second = browser(), browser()
    first.get("/session-cart/", {"item": "apple"})
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    one = first.post("/api/guest/", {}, content_type="application/json").json()
    two = second.post("/api/guest/", {}, content_type="application/json").json()
    assert one["id"] != two["id"]
    # The second client's credential logs in its own guest, never the first's.
    again = browser().post(
        "/api/guest/login/", {"credential": two["credential"]}, content_type="application/json"
    )
    assert again.json()["id"] == two["id"]


# 2. Promotion strips another session's guest marker ---------------------------------


@pytest.mark.django_db
def test_promoting_one_guest_leaves_another_sessions_marker_alone(guest_client):
    pytest.importorskip("rest_framework")
    b_pk = guest_client.session[SESSION_KEY]
    api = browser()
    a = api.post("/api/guest/", {}, content_type="application/json").json()
    # Guest A's token with guest B's session cookie.
    body = {"password": "Cart-Keeper-2931", User().USERNAME_FIELD: username_value(1)}
    if User().USERNAME_FIELD != "email":
        body["email"] = "a@example.com"
    response = guest_client.post(
        "/api/guest/promote/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {a['token']}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == a["id"]
    # B is still a guest, and its session still says so.
    assert Guest.objects.filter(pk=User()._meta.pk.to_python(b_pk)).exists()
    assert guest_client.session[_session.GUEST_SESSION_KEY] == b_pk
    assert guest_client.get("/regular/").status_code == 302
    me = guest_client.get("/api/guest/me/").json()
    assert me == {"id": me["id"], "is_guest": True, "is_verified": False}


# 7. A staff-flagged guest row on token and credential requests ----------------------


@pytest.mark.django_db
def test_staff_flagged_guest_is_not_staff_on_token_and_credential_requests():
    pytest.importorskip("rest_framework")
    from rest_framework.permissions import IsAdminUser
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
    from guest_auth.services import create_guest  # noqa: F401 (public index)

    a = browser().post("/api/guest/", {}, content_type="application/json").json()
    User().objects.filter(pk=a["id"]).update(is_staff=True, is_superuser=True)
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {a['token']}"))
    user, _token = GuestTokenAuthentication().authenticate(request)
    assert (user.is_staff, user.is_superuser) == (False, False)
    request.user = user
    assert not IsAdminUser().has_permission(request, None)

    from guest_auth._tokens import login_with_device_credential
    from tests.helpers.sessions import make_request

    user, _token = login_with_device_credential(make_request(), a["credential"])
    assert (user.is_staff, user.is_superuser) == (False, False)


@pytest.mark.django_db
def test_staff_flagged_guest_is_not_staff_on_async_requests(async_client):
    from asgiref.sync import async_to_sync

    pk = async_to_sync(async_client.get)("/async-guest-view/").json()["pk"]
    User().objects.filter(pk=pk).update(is_staff=True, is_superuser=True)
    body = async_to_sync(async_client.get)("/async-staff-view/").json()
    assert body == {"is_staff": False, "is_superuser": False}


# 8. The promote page and a guest that vanished mid-request ---------------------------


@pytest.mark.django_db
@override_settings(
    GUEST_AUTH_ADAPTER="tests.testapp.adapters.VanishingGuestAdapter",
    ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter",
)
def test_promote_page_reports_a_guest_purged_mid_request(guest_client):
    pk = guest_client.session[SESSION_KEY]
    data = {
        User().USERNAME_FIELD: username_value(8),
        "password1": "Cart-Keeper-2931",
        "password2": "Cart-Keeper-2931",
    }
    if User().USERNAME_FIELD != "email":
        data["email"] = "v@example.com"
    response = guest_client.post("/guest/promote/?next=/home/", data)
    assert not User().objects.filter(pk=pk).exists()
    assert response.status_code == 200
    assert "no longer exists" in response.content.decode()
    assert not User().objects.filter(**{User().USERNAME_FIELD: username_value(8)}).exists()


# 5. API tokens outlive the password ---------------------------------------------------

GOOD_PASSWORD = "Cart-Keeper-2931"


def api_client(token=None):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_USER_AGENT="okhttp/4.12.0")
    client.default_format = "json"
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def promote_body(n):
    body = {"password": GOOD_PASSWORD, User().USERNAME_FIELD: username_value(n)}
    if User().USERNAME_FIELD != "email":
        body["email"] = f"p{n}@example.com"
    return body


def promoted_api_user(n=5):
    """A guest created and promoted through the API; (user, token)."""
    created = api_client().post("/api/guest/", {}, format="json").json()
    token = created["token"]
    response = api_client(token).post("/api/guest/promote/", promote_body(n))
    assert response.status_code == 200, response.content
    return User().objects.get(pk=created["id"]), token


@pytest.mark.django_db
def test_password_change_ends_the_users_api_tokens():
    pytest.importorskip("rest_framework")
    user, token = promoted_api_user()
    assert api_client(token).get("/api/guest/me/").status_code == 200
    user.set_password("Another-Password-77")
    user.save()
    assert api_client(token).get("/api/guest/me/").status_code == 401


@pytest.mark.django_db
def test_password_reset_ends_the_users_api_tokens(client, mailoutbox):
    pytest.importorskip("rest_framework")
    import re

    user, token = promoted_api_user()
    client.post("/accounts/password_reset/", {"email": user.email})
    link = re.search(r"/accounts/reset/\S+/\S+/", mailoutbox[0].body).group(0)
    form_url = client.get(link)["Location"]
    done = client.post(
        form_url, {"new_password1": "Reset-Password-88", "new_password2": "Reset-Password-88"}
    )
    assert done.status_code == 302
    assert api_client(token).get("/api/guest/me/").status_code == 401


@pytest.mark.django_db
def test_a_guests_token_keeps_working_and_survives_its_promotion():
    pytest.importorskip("rest_framework")
    created = api_client().post("/api/guest/", {}, format="json").json()
    token = created["token"]
    assert api_client(token).get("/api/guest/me/").json()["is_guest"] is True
    api_client(token).post("/api/guest/promote/", promote_body(9))
    assert api_client(token).get("/api/guest/me/").json()["is_guest"] is False


@pytest.mark.django_db
def test_logout_revokes_the_presented_token():
    pytest.importorskip("rest_framework")
    _user, token = promoted_api_user()
    response = api_client(token).post("/api/guest/logout/")
    assert response.status_code == 204
    assert api_client(token).get("/api/guest/me/").status_code == 401


@pytest.mark.django_db
def test_a_user_lists_and_revokes_their_tokens_and_credentials():
    pytest.importorskip("rest_framework")
    from guest_auth._tokens import issue_api_token

    user, token = promoted_api_user()
    other = issue_api_token(user)
    stranger_token = issue_api_token(UserFactory())
    listed = api_client(token).get("/api/guest/tokens/")
    assert listed.status_code == 200
    body = listed.json()
    assert sorted(item["kind"] for item in body) == ["token", "token"]
    assert sum(item["current"] for item in body) == 1
    assert all(
        set(item) == {"id", "kind", "created_at", "last_used_at", "current"} for item in body
    )
    [other_item] = [item for item in body if not item["current"]]
    assert api_client(token).delete(f"/api/guest/tokens/{other_item['id']}/").status_code == 204
    assert api_client(other).get("/api/guest/me/").status_code == 401
    assert api_client(token).get("/api/guest/me/").status_code == 200
    # Someone else's token is not found, and stays valid.
    stranger_id = stranger_token.split(".")[0]
    assert api_client(token).delete(f"/api/guest/tokens/{stranger_id}/").status_code == 404
    assert api_client(stranger_token).get("/api/guest/me/").status_code == 200


@pytest.mark.django_db
def test_a_guest_lists_its_device_credential():
    pytest.importorskip("rest_framework")
    created = api_client().post("/api/guest/", {}, format="json").json()
    body = api_client(created["token"]).get("/api/guest/tokens/").json()
    assert sorted(item["kind"] for item in body) == ["credential", "token"]


@pytest.mark.django_db
def test_admin_lists_and_revokes_tokens_without_showing_secrets(client):
    from django.urls import reverse

    from guest_auth._tokens import issue_api_token, issue_device_credential
    from guest_auth.models import APIToken, DeviceCredential

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    token = issue_api_token(admin)
    credential = issue_device_credential(UserFactory())
    for model, raw in ((APIToken, token), (DeviceCredential, credential)):
        url = reverse(f"admin:guest_auth_{model._meta.model_name}_changelist")
        page = client.get(url)
        assert page.status_code == 200
        row = model.objects.get()
        content = page.content.decode()
        assert row.lookup in content
        assert row.digest not in content and raw.split(".")[1] not in content
        change = client.get(
            reverse(f"admin:guest_auth_{model._meta.model_name}_change", args=[row.pk])
        )
        assert row.digest not in change.content.decode()
        client.post(url, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
        assert not model.objects.exists()


# 6. Case-insensitive uniqueness under concurrency, one normalisation ---------------


def promote_form_data(value, n):
    data = {User().USERNAME_FIELD: value, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    if User().USERNAME_FIELD != "email":
        data["email"] = f"c{n}@example.com"
    return data


@pytest.mark.django_db
@override_settings(ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter")
@pytest.mark.parametrize(
    ("first", "second", "taken"),
    [
        ("Straße", "STRASSE", True),
        ("CaseRace", "caserace", True),
        ("admin", "adm\u0131n", False),  # casefold keeps the dotless i apart everywhere
    ],
)
def test_names_are_compared_by_casefold_on_every_backend(make_client, first, second, taken):
    if User().USERNAME_FIELD == "email":
        first, second = f"x@{first}.example", f"x@{second}.example"
    one, two = make_client(), make_client()
    for client in (one, two):
        client.get("/guest-view/")
    assert one.post("/guest/promote/", promote_form_data(first, 1)).status_code == 302
    response = two.post("/guest/promote/", promote_form_data(second, 2))
    assert (response.status_code == 200) is taken
    if taken:
        assert response.context["form"].errors[User().USERNAME_FIELD]


@pytest.mark.django_db
@override_settings(ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter")
def test_emails_are_compared_by_casefold(make_client):
    def data(email, n):
        username = email if User().USERNAME_FIELD == "email" else username_value(n)
        return {**promote_form_data(username, n), User().get_email_field_name(): email}

    one, two = make_client(), make_client()
    for client in (one, two):
        client.get("/guest-view/")
    assert one.post("/guest/promote/", data("x@Straße.example", 1)).status_code == 302
    response = two.post("/guest/promote/", data("x@STRASSE.example", 2))
    assert response.status_code == 200
    assert response.context["form"].errors[User().get_email_field_name()]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
@override_settings(
    GUEST_AUTH_ADAPTER="tests.testapp.adapters.PromotionBarrierAdapter",
    ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter",
)
@pytest.mark.parametrize("through", ["web", "api"])
def test_concurrent_promotions_to_names_equal_ignoring_case_cannot_both_win(through):
    import threading

    from tests.testapp.adapters import PromotionBarrierAdapter

    if through == "api":
        pytest.importorskip("rest_framework")
    names = ["CaseRace0", "caserace0"]
    if User().USERNAME_FIELD == "email":
        names = ["x@CaseRace0.example", "x@caserace0.example"]
    statuses, errors = {}, []

    def promote(n):
        try:
            if through == "web":
                client = browser()
                client.get("/guest-view/")
                statuses[n] = client.post("/guest/promote/", promote_form_data(names[n], n))
            else:
                token = api_client().post("/api/guest/", {}, format="json").json()["token"]
                body = promote_body(n)
                body[User().USERNAME_FIELD] = names[n]
                statuses[n] = api_client(token).post("/api/guest/promote/", body)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(5):
        PromotionBarrierAdapter.barrier.reset()
        threads = [threading.Thread(target=promote, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        codes = sorted(response.status_code for response in statuses.values())
        assert codes == ([200, 302] if through == "web" else [200, 400]), codes
        [loser] = [
            r for r in statuses.values() if r.status_code == (200 if through == "web" else 400)
        ]
        if through == "web":
            assert loser.context["form"].non_field_errors()
        else:
            assert loser.json()["non_field_errors"]
        field = User().USERNAME_FIELD
        assert User().objects.filter(**{f"{field}__in": names}).count() == 1
        User().objects.filter(**{f"{field}__in": names}).delete()
        statuses.clear()


# 4. A link-based login must not pull a victim's guest into someone else's account ---


@pytest.mark.django_db
def test_a_password_reset_login_does_not_merge_the_victims_guest(client):
    attacker = UserFactory()
    guest_pk = guest_with_note(client)
    follow_reset_link(client, reset_link_for(attacker))
    assert client.session[SESSION_KEY] == str(attacker.pk)  # Django logged the victim in
    assert not Note.objects.filter(user=attacker).exists()
    assert Note.objects.get().user_id == User()._meta.pk.to_python(guest_pk)
    assert Guest.objects.filter(pk=User()._meta.pk.to_python(guest_pk)).exists()


@pytest.mark.django_db
def test_a_kept_guest_comes_back_when_the_account_logs_out(client):
    attacker = UserFactory()
    guest_pk = guest_with_note(client)
    follow_reset_link(client, reset_link_for(attacker))
    client.post("/accounts/logout/")
    assert client.session[SESSION_KEY] == guest_pk
    assert client.get("/regular/").status_code == 302  # a guest again, not a regular user


@pytest.mark.django_db
def test_a_password_login_still_merges(client):
    user = UserFactory()
    guest_with_note(client)
    client.post("/accounts/login/", {"username": user.get_username(), "password": PASSWORD})
    assert Note.objects.get().user == user


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.ConfirmMergeAdapter")
def test_the_adapter_can_offer_the_merge_for_confirmation(client):
    account = UserFactory()
    guest_pk = guest_with_note(client)
    follow_reset_link(client, reset_link_for(account))
    assert Note.objects.get().user_id == User()._meta.pk.to_python(guest_pk)
    page = client.get("/guest/merge/")
    assert page.status_code == 200
    assert "testapp.Note" in page.content.decode() or "note" in page.content.decode().lower()
    assert client.post("/guest/merge/", {"next": "/home/"})["Location"] == "/home/"
    assert Note.objects.get().user == account
    assert not Guest.objects.exists()
    # Nothing left to confirm.
    assert client.get("/guest/merge/").status_code == 302


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.ConfirmMergeAdapter")
def test_declining_the_merge_keeps_the_guest(client):
    account = UserFactory()
    guest_pk = guest_with_note(client)
    follow_reset_link(client, reset_link_for(account))
    client.post("/guest/merge/", {"decline": "1"})
    assert Note.objects.get().user_id == User()._meta.pk.to_python(guest_pk)
    assert client.get("/guest/merge/").status_code == 302


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.ConfirmMergeAdapter")
def test_the_merge_confirmation_through_the_api(client):
    pytest.importorskip("rest_framework")
    account = UserFactory()
    guest_with_note(client)
    follow_reset_link(client, reset_link_for(account))
    pending = client.get("/api/guest/merge/")
    assert pending.status_code == 200
    assert pending.json()["summary"]["testapp.Note"] == {"moved": 1, "kept": 0, "dropped": 0}
    done = client.post("/api/guest/merge/", {}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert Note.objects.get().user == account
    assert client.get("/api/guest/merge/").status_code == 404


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.ConfirmMergeAdapter")
def test_the_pending_merge_is_only_for_the_account_it_was_offered_to(client):
    account, other = UserFactory(), UserFactory()
    guest_pk = guest_with_note(client)
    follow_reset_link(client, reset_link_for(account))
    session = client.session
    # The same browser logs into another account with a password afterwards.
    client.post("/accounts/login/", {"username": other.get_username(), "password": PASSWORD})
    assert session is not None
    assert client.get("/guest/merge/").status_code == 302
    assert Note.objects.get().user_id == User()._meta.pk.to_python(guest_pk)


# 9. kill -9 in the middle of a login's merge ------------------------------------------


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database two processes share")
@pytest.mark.django_db(transaction=True)
def test_a_login_killed_mid_merge_leaves_the_browser_its_guest(client):
    import os
    import signal
    import subprocess
    import sys

    from tests.purgeapp.processes import ROOT, database_url

    user = UserFactory()
    guest_pk = guest_with_note(client)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.testapp.login_worker",
            client.cookies["sessionid"].value,
            user.get_username(),
            PASSWORD,
        ],
        cwd=ROOT,
        env={**os.environ, "GUEST_AUTH_TEST_DATABASE_URL": database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline().strip()
        assert line == "merging", worker.stderr.read()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    # The merge's transaction died with the process: the browser is still its guest.
    assert client.get("/plain/").json() == {
        "authenticated": True,
        "pk": guest_pk,
        "is_guest": True,
    }
    assert Note.objects.get().user_id == User()._meta.pk.to_python(guest_pk)
    # And a login that completes merges as usual.
    client.post("/accounts/login/", {"username": user.get_username(), "password": PASSWORD})
    assert Note.objects.get().user == user


# 3. allauth's email rules on every promotion path ----------------------------------

ALLAUTH_SIGNUP = {
    "ACCOUNT_ADAPTER": "guest_auth.contrib.allauth.GuestAccountAdapter",
    "SOCIALACCOUNT_ADAPTER": "guest_auth.contrib.allauth.GuestSocialAccountAdapter",
    "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
}


def allauth_installed():
    from django.apps import apps

    if not apps.is_installed("allauth.account"):
        pytest.skip("django-allauth is not installed (tox's noextras)")


@pytest.mark.django_db
@override_settings(**ALLAUTH_SIGNUP)
def test_with_allauth_the_core_promote_page_sends_guests_to_allauths_signup(guest_client):
    allauth_installed()
    from django.urls import reverse

    signup = reverse("account_signup")
    response = guest_client.get("/guest/promote/?next=/cart/")
    assert response.status_code == 302
    assert response["Location"] == f"{signup}?next=/cart/"
    response = guest_client.post("/guest/promote/", promote_form_data(username_value(3), 3))
    assert response["Location"].startswith(signup)
    assert guest_client.get("/plain/").json()["is_guest"] is True
    # regular_user_required and the password pages lead there too.
    assert guest_client.get("/regular/")["Location"] == f"{signup}?next=/regular/"


@pytest.mark.django_db
@override_settings(**ALLAUTH_SIGNUP)
def test_with_allauth_the_api_refuses_to_promote_past_its_email_rules():
    allauth_installed()
    pytest.importorskip("rest_framework")
    created = api_client().post("/api/guest/", {}, format="json").json()
    body = promote_body(3)
    body["email"] = "victim@example.com"
    response = api_client(created["token"]).post("/api/guest/promote/", body)
    assert response.status_code == 403
    assert "allauth" in response.json()["detail"] or "sign up" in response.json()["detail"]
    assert Guest.objects.filter(pk=created["id"]).exists()
    assert api_client(created["token"]).get("/api/guest/me/").json()["is_verified"] is False


@pytest.mark.django_db
@override_settings(**ALLAUTH_SIGNUP)
def test_with_allauth_is_verified_means_a_verified_email_address():
    allauth_installed()
    pytest.importorskip("rest_framework")
    from allauth.account.models import EmailAddress

    from guest_auth._tokens import issue_api_token

    user = UserFactory(email="someone@example.com")
    token = issue_api_token(user)
    assert api_client(token).get("/api/guest/me/").json()["is_verified"] is False
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    assert api_client(token).get("/api/guest/me/").json()["is_verified"] is False
    address.verified = True
    address.save()
    assert api_client(token).get("/api/guest/me/").json()["is_verified"] is True
