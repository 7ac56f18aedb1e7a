"""The security suite: each test is named in SECURITY.md next to the threat it covers."""

import pkgutil

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, get_backends, get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.forms import BooleanField, ModelMultipleChoiceField, MultiWidget
from django.test import Client, override_settings
from django.urls import URLPattern, get_resolver, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import guest_auth
from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import PASSWORD, UserFactory
from tests.helpers.sessions import anonymous_session

PROMOTE = "/guest/promote/"
GOOD_PASSWORD = "Cart-Keeper-2931"

BOT_AGENTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0)",
    "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "Mozilla/5.0 (compatible; Applebot/0.1)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "ia_archiver (+http://www.alexa.com/site/help/webmasters)",
]


def username_value(name="sneaky"):
    model = get_user_model()
    return f"{name}@example.com" if model.USERNAME_FIELD == "email" else name


def signup_data(**extra):
    model = get_user_model()
    data = {
        model.USERNAME_FIELD: username_value("newbie"),
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    if model.USERNAME_FIELD != "email":
        data["email"] = "newbie@example.com"
    return {**data, **extra}


# Bots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", BOT_AGENTS)
@pytest.mark.parametrize("path", ["/guest-view/", "/async-guest-view/", "/cbv/guest/"])
@pytest.mark.django_db
def test_bots_get_no_guest(agent, path):
    response = Client(HTTP_USER_AGENT=agent).get(path)
    assert response.status_code == 200
    assert response.json()["authenticated"] is False
    assert get_user_model().objects.count() == 0


# Authentication needs a credential -----------------------------------------------------


def test_guest_auth_ships_no_authentication_backend():
    modules = {m.name for m in pkgutil.walk_packages(guest_auth.__path__, "guest_auth.")}
    assert "guest_auth.backends" not in modules
    assert not any(path.startswith("guest_auth") for path in settings.AUTHENTICATION_BACKENDS)


@pytest.mark.django_db
def test_no_backend_authenticates_a_guest_without_a_credential(rf, guest_user):
    request = rf.get("/")
    stored = get_user_model().objects.get(pk=guest_user.pk).password
    username = guest_user.get_username()
    attempts = [
        {},
        {"username": username},
        {"username": username, "password": ""},
        {"username": username, "password": None},
        {"username": username, "password": stored},  # the unusable marker itself
        {"username": username, "password": "!"},
        {"username": str(guest_user.pk)},
    ]
    for credentials in attempts:
        assert authenticate(request, **credentials) is None, credentials
        for backend in get_backends():
            assert backend.authenticate(request, **credentials) is None, (backend, credentials)


@pytest.mark.django_db
def test_guest_session_cannot_be_forged_from_a_user_id(guest_user):
    # A session naming the guest's id without its auth hash is not a login.
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    session = client.session
    session[SESSION_KEY] = str(guest_user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = "forged"
    session.save()
    assert client.get("/plain/").json()["authenticated"] is False


# Session fixation ------------------------------------------------------------------------


@pytest.mark.django_db
def test_planted_unknown_session_key_is_not_adopted():
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    planted = "fixatedsessionkey0123456789abcd"
    client.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert client.get("/guest-view/").json()["is_guest"] is True
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted


@pytest.mark.django_db
def test_known_anonymous_session_key_rotates_at_guest_creation():
    planted = anonymous_session(cart=["apple"])
    victim = Client(HTTP_USER_AGENT=BROWSER_UA)
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted
    victim.get("/guest-view/")
    new_key = victim.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted
    # The attacker who knew the old key holds nothing.
    attacker = Client(HTTP_USER_AGENT=BROWSER_UA)
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/plain/").json()["authenticated"] is False


@pytest.mark.django_db
def test_session_key_rotates_at_promotion(guest_client):
    before = guest_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert guest_client.post(PROMOTE, signup_data()).status_code == 302
    after = guest_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    stale = Client(HTTP_USER_AGENT=BROWSER_UA)
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get("/plain/").json()["authenticated"] is False


@pytest.mark.django_db
def test_logout_ends_the_guest_session(guest_client):
    guest = Guest.objects.get().user
    guest_client.post("/accounts/logout/")
    assert guest_client.get("/plain/").json()["authenticated"] is False
    # The guest is unreachable now; it stays until purged.
    assert Guest.objects.filter(pk=guest.pk).exists()


# Open redirects --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "\\\\evil.example",
        "/\\evil.example",
        "http:evil.example",
        "https:/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "data:text/html,hi",
        "http://testserver@evil.example/",
        "http://evil.example\\@testserver/",
        "\x00//evil.example",
    ],
)
@pytest.mark.django_db
def test_next_cannot_redirect_off_site(guest_client, target):
    response = guest_client.post(PROMOTE, signup_data(next=target))
    assert response.status_code == 302
    assert response["Location"] == "/home/"


# CSRF -------------------------------------------------------------------------------------


def _guest_auth_urls():
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace and namespace.startswith("guest_auth"):
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern):
                    kwargs = dict.fromkeys(inner.pattern.converters, "0" * 24)
                    yield reverse(f"{namespace}:{inner.name}", kwargs=kwargs)


def test_every_guest_auth_url_is_listed():
    api = [
        "/api/guest/",
        "/api/guest/login/",
        "/api/guest/me/",
        "/api/guest/me/export/",
        "/api/guest/promote/",
        "/api/guest/logout/",
        "/api/guest/merge/",
        "/api/guest/tokens/",
        "/api/guest/tokens/000000000000000000000000/",
    ]
    assert list(_guest_auth_urls()) == [
        PROMOTE,
        "/guest/merge/",
        "/guest/delete/",
        "/guest/export/",
        *(api if apps.is_installed("rest_framework") else []),
    ]


@pytest.mark.parametrize("url", list(_guest_auth_urls()))
@pytest.mark.django_db
def test_state_changing_views_need_csrf(url, guest_user):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(guest_user)
    assert client.post(url, signup_data()).status_code == 403
    assert Guest.objects.filter(pk=guest_user.pk).exists()
    if url.startswith("/api/"):
        assert client.delete(url).status_code in (403, 405)
        assert Guest.objects.filter(pk=guest_user.pk).exists()


@pytest.mark.django_db
def test_guest_creating_posts_need_csrf():
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    # /notes/add/ is csrf_exempt in the test app; a protected allow_guest view is not:
    assert client.post("/guest-view/").status_code == 403
    assert get_user_model().objects.count() == 0


# Admin and staff ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_guest_cannot_reach_the_admin(guest_client):
    response = guest_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_guest_row_flagged_staff_still_cannot_reach_the_admin(guest_client):
    guest = Guest.objects.get().user
    # Bypasses the pre_save guard, as raw SQL or a bulk update would.
    get_user_model().objects.filter(pk=guest.pk).update(is_staff=True, is_superuser=True)
    assert guest_client.get("/admin/").status_code == 302
    body = guest_client.get("/plain/").json()
    assert body["is_guest"] is True


@pytest.mark.django_db
def test_guest_cannot_be_saved_as_staff(guest_user):
    guest_user.is_staff = True
    with pytest.raises(PermissionDenied) as excinfo:
        guest_user.save()
    assert str(excinfo.value) == (
        "Guests cannot be staff or superusers: promote the guest to a regular user first."
    )
    assert not get_user_model().objects.get(pk=guest_user.pk).is_staff


def _post_data(form):
    """What a browser posts back for an unchanged admin change form."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if field.disabled:
            continue
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(field, ModelMultipleChoiceField):
            data[name] = [obj.pk for obj in value or []]
        elif isinstance(field, BooleanField):
            if value:
                data[name] = "on"
        else:
            formatted = field.widget.format_value(value)
            data[name] = "" if formatted is None else formatted
    return data


@pytest.mark.django_db
def test_admin_making_a_guest_staff_gets_403_not_500(guest_user):
    model = get_user_model()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(admin)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[guest_user.pk])
    data = _post_data(client.get(url).context["adminform"].form)
    if model.USERNAME_FIELD == "email":
        data["email"] = "guest@example.com"  # the plain ModelAdmin requires one
    response = client.post(url, {**data, "is_staff": "on"})
    assert response.status_code == 403
    assert not model.objects.get(pk=guest_user.pk).is_staff
    # The same form without the staff box saves: the guard is what refused it.
    assert client.post(url, data).status_code == 302


@pytest.mark.django_db
def test_promoted_user_may_become_staff(guest_user):
    from guest_auth.services import promote_guest

    promote_guest(
        None,
        guest_user,
        password=PASSWORD,
        **{get_user_model().USERNAME_FIELD: username_value("promoted")},
    )
    guest_user.is_staff = True
    guest_user.save()
    assert get_user_model().objects.get(pk=guest_user.pk).is_staff


# Password views ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_change/",
        "/accounts/password_change/done/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
    ],
)
@pytest.mark.django_db
def test_guest_is_sent_from_password_views_to_promotion(guest_client, path):
    response = guest_client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{PROMOTE}?next={path}"


@pytest.mark.django_db
def test_guest_post_to_password_reset_sends_nothing(guest_client, mailoutbox):
    UserFactory(email="victim@example.com")
    response = guest_client.post("/accounts/password_reset/", {"email": "victim@example.com"})
    assert response.status_code == 302 and response["Location"].startswith(PROMOTE)
    assert mailoutbox == []


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/password_change/"])
@pytest.mark.django_db
def test_regular_users_keep_password_views(client, user, path):
    client.force_login(user)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_password_views_add_no_query_for_anonymous(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/accounts/password_reset/").status_code == 200


@pytest.mark.django_db
def test_reset_confirm_link_stays_open_for_guests(guest_client):
    response = guest_client.get("/accounts/reset/MQ/set-password/")
    assert response.status_code == 200  # Django's own "invalid link" page, not a redirect


# Fuzz: no 5xx, no partial writes ---------------------------------------------------------------

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
FUZZ = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(["username", "email", "password1", "password2", "next", "junk"]),
        text,
        max_size=6,
    )
)
@pytest.mark.django_db
def test_fuzz_promote_form(data):
    cache.clear()  # one test, many visitors: keep the rate limit out of the way
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.get("/guest-view/")
    guest_pk = client.session[SESSION_KEY]
    response = client.post(PROMOTE, data)
    assert response.status_code in (200, 302)
    user = get_user_model().objects.get(pk=guest_pk)
    promoted = not Guest.objects.filter(pk=guest_pk).exists()
    # All or nothing: promoted exactly when the user has a password now.
    assert promoted == user.has_usable_password()
    if response.status_code == 200:
        assert not promoted


@FUZZ
@given(
    agent=text,
    path=st.sampled_from(["/guest-view/", "/cbv/guest/", "/async-guest-view/"]),
    accept=text,
    next_=text,
)
@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="5/h")
def test_fuzz_guest_entry_points(agent, path, accept, next_):
    response = Client(HTTP_USER_AGENT=agent, HTTP_ACCEPT=accept).get(path, {"next": next_})
    assert response.status_code in (200, 429)
    assert Guest.objects.count() == get_user_model().objects.count()
