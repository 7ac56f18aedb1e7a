import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import UserFactory, username_for
from tests.testapp.models import Note

PROMOTE = "/guest/promote/"
GOOD_PASSWORD = "Cart-Keeper-2931"


def signup_data(name="newbie", email="newbie@example.com", password=GOOD_PASSWORD, **extra):
    model = get_user_model()
    data = {"password1": password, "password2": password, **extra}
    if model.USERNAME_FIELD == "email":
        data["email"] = email
    else:
        data[model.USERNAME_FIELD] = name
        data["email"] = email
    return data


@pytest.fixture
def guest_with_note(guest_client):
    guest = Guest.objects.get().user
    Note.objects.create(user=guest, text="cart item")
    return guest


def assert_still_guest(client, guest):
    assert Guest.objects.filter(pk=guest.pk).exists()
    assert list(Note.objects.filter(user=guest).values_list("text", flat=True)) == ["cart item"]
    assert client.get("/plain/").json() == {
        "authenticated": True,
        "pk": str(guest.pk),
        "is_guest": True,
    }


def test_url_name():
    assert reverse("guest_auth:promote") == PROMOTE


@pytest.mark.django_db
def test_get_renders_the_form(guest_client):
    response = guest_client.get(PROMOTE + "?next=/cart/")
    assert response.status_code == 200
    form = response.context["form"]
    model = get_user_model()
    expected = [model.USERNAME_FIELD, "password1", "password2"]
    if model.USERNAME_FIELD != "email":
        expected.insert(1, "email")
    assert list(form.fields) == expected
    assert b'name="next" value="/cart/"' in response.content
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("login_redirect_url", "promote_redirect_url", "expected"),
    [
        # Django's default, which a fresh project serves no page at: the home page.
        ("/accounts/profile/", None, "/"),
        ("/accounts/profile/", "/cart/", "/cart/"),
        ("/home/", None, "/home/"),
        # A site that does serve /accounts/profile/ keeps it.
        ("/accounts/profile/", None, "/accounts/profile/"),
    ],
)
def test_after_promotion_the_new_user_lands_on_a_page_that_exists(
    guest_client, settings, login_redirect_url, promote_redirect_url, expected
):
    """The README's quick start ended on Django's /accounts/profile/ 404 (issue 23)."""
    settings.LOGIN_REDIRECT_URL = login_redirect_url
    settings.GUEST_AUTH_PROMOTE_REDIRECT_URL = promote_redirect_url
    if expected == "/accounts/profile/":
        settings.ROOT_URLCONF = "tests.profile_urls"
    response = guest_client.post(PROMOTE, signup_data())
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.django_db
def test_post_promotes_in_place_and_stays_logged_in(guest_client, guest_with_note):
    response = guest_client.post(PROMOTE, signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/home/"  # LOGIN_REDIRECT_URL
    user = get_user_model().objects.get(pk=guest_with_note.pk)
    assert user.check_password(GOOD_PASSWORD)
    assert user.email == "newbie@example.com"
    assert not Guest.objects.filter(pk=user.pk).exists()
    assert list(Note.objects.filter(user=user).values_list("text", flat=True)) == ["cart item"]
    assert guest_client.get("/plain/").json() == {
        "authenticated": True,
        "pk": str(user.pk),
        "is_guest": False,
    }


@pytest.mark.django_db
def test_email_is_normalised(guest_client, guest_with_note):
    guest_client.post(PROMOTE, signup_data(email="Mixed@EXAMPLE.com"))
    assert get_user_model().objects.get(pk=guest_with_note.pk).email == "Mixed@example.com"


@pytest.mark.django_db
def test_safe_next_is_honoured(guest_client, guest_with_note):
    response = guest_client.post(PROMOTE, signup_data(next="/cart/?step=2"))
    assert response["Location"] == "/cart/?step=2"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http://testserver.evil/"],
)
@pytest.mark.django_db
def test_unsafe_next_is_ignored(guest_client, guest_with_note, target):
    response = guest_client.post(PROMOTE, signup_data(next=target))
    assert response["Location"] == "/home/"


@pytest.mark.django_db
def test_promote_redirect_setting(guest_client, guest_with_note, settings):
    settings.GUEST_AUTH_PROMOTE_REDIRECT_URL = "guest_auth:promote"
    response = guest_client.post(PROMOTE, signup_data())
    assert response["Location"] == PROMOTE


@pytest.mark.django_db
def test_taken_username_case_insensitive(guest_client, guest_with_note):
    model = get_user_model()
    taken = UserFactory()
    value = getattr(taken, model.USERNAME_FIELD).upper()
    data = signup_data(email=value) if model.USERNAME_FIELD == "email" else signup_data(name=value)
    response = guest_client.post(PROMOTE, data)
    assert response.status_code == 200
    field = model.USERNAME_FIELD
    assert response.context["form"].errors[field] == [
        "Email user with this Email already exists."
        if field == "email"
        else "A user with that username already exists."
    ]
    assert_still_guest(guest_client, guest_with_note)


@pytest.mark.django_db
def test_taken_email_case_insensitive(guest_client, guest_with_note):
    model = get_user_model()
    UserFactory(email="someone@example.com")
    response = guest_client.post(PROMOTE, signup_data(email="SOMEONE@example.com"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Email user with this Email already exists."
        if model.USERNAME_FIELD == "email"
        else "User with this Email address already exists."
    ]
    assert_still_guest(guest_client, guest_with_note)


@pytest.mark.parametrize(
    "data,field,message",
    [
        (
            {"password2": "Different-Pass-99"},
            "password2",
            "The two password fields didn\u2019t match.",
        ),
        (
            {"password1": "short", "password2": "short"},
            "password2",
            "This password is too short. It must contain at least 8 characters.",
        ),
        (
            {"password1": "password123", "password2": "password123"},
            "password2",
            "This password is too common.",
        ),
        ({"password1": "", "password2": ""}, "password1", "This field is required."),
    ],
)
@pytest.mark.django_db
def test_bad_passwords_are_form_errors(guest_client, guest_with_note, data, field, message):
    response = guest_client.post(PROMOTE, {**signup_data(), **data})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert_still_guest(guest_client, guest_with_note)
    assert not get_user_model().objects.get(pk=guest_with_note.pk).has_usable_password()


@pytest.mark.django_db
def test_password_similar_to_username_is_refused(guest_client, guest_with_note):
    model = get_user_model()
    name = "cartkeeper2931@example.com" if model.USERNAME_FIELD == "email" else "cartkeeper2931"
    data = signup_data(
        name=name, email=name if "@" in name else "x@example.com", password="cartkeeper2931"
    )
    response = guest_client.post(PROMOTE, data)
    assert response.status_code == 200
    assert any("too similar" in e for e in response.context["form"].errors["password2"])
    assert_still_guest(guest_client, guest_with_note)


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client):
    for response in (client.get(PROMOTE), client.post(PROMOTE, signup_data())):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/guest/promote/"
    assert get_user_model().objects.count() == 0


@pytest.mark.django_db
def test_regular_user_is_refused_and_unchanged(client, user):
    client.force_login(user)
    before = get_user_model().objects.values().get(pk=user.pk)
    response = client.post(PROMOTE, signup_data(name="hijack", email="hijack@example.com"))
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert get_user_model().objects.values().get(pk=user.pk) == before
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_csrf_is_enforced(guest_with_note):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(guest_with_note)
    response = client.post(PROMOTE, signup_data())
    assert response.status_code == 403
    assert Guest.objects.filter(pk=guest_with_note.pk).exists()
    # With the token from the form, the same post goes through.
    token = client.get(PROMOTE).context["csrf_token"]
    response = client.post(PROMOTE, {**signup_data(), "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert not Guest.objects.filter(pk=guest_with_note.pk).exists()


@pytest.mark.django_db
def test_second_promotion_attempt_changes_nothing(guest_client, guest_with_note):
    guest_client.post(PROMOTE, signup_data())
    user = get_user_model().objects.get(pk=guest_with_note.pk)
    response = guest_client.post(
        PROMOTE, signup_data(name="other", email="other@example.com", password="Another-Pass-5521")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert (
        get_user_model()
        .objects.filter(**{get_user_model().USERNAME_FIELD: username_for(0)})
        .count()
        == 0
    )


@pytest.mark.django_db
def test_username_taken_between_validation_and_save(guest_client, guest_with_note):
    from django.db.models.signals import pre_save

    model = get_user_model()
    data = signup_data()

    def sneak_in(sender, instance, **kwargs):
        if instance.pk == guest_with_note.pk:
            pre_save.disconnect(sneak_in, sender=model)
            UserFactory(**{model.USERNAME_FIELD: data[model.USERNAME_FIELD]})

    pre_save.connect(sneak_in, sender=model)
    try:
        response = guest_client.post(PROMOTE, data)
    finally:
        pre_save.disconnect(sneak_in, sender=model)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "That account was just taken. Please choose another."
    ]
    assert_still_guest(guest_client, guest_with_note)
