"""A single-page app's visitor is a guest (session cookie), signs up through
allauth's headless API (browser client), another signs in with a provider,
another logs in to an existing account."""

from tests.configs._apps import PASSWORD, client, expect, post_json, run

HEADLESS = "/_allauth/browser/v1"


def _guest():
    from tests.testapp.models import Note

    spa = client(**{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"})
    response = post_json(spa, "/api/guest/")
    expect(response.status_code == 201, "POST /api/guest/ should make a guest", response)
    pk = response.json()["id"]
    Note.objects.create(user_id=pk, text="cart")
    return spa, pk


def signup_promotes_in_place() -> str:
    from guest_auth.models import Guest

    spa, pk = _guest()
    response = post_json(
        spa, f"{HEADLESS}/auth/signup", {"email": "spa@example.com", "password": PASSWORD}
    )
    expect(response.status_code == 200, "headless signup should log in", response)
    expect(response.json()["data"]["user"]["id"] == pk, "signup should keep the guest's id")
    expect(not Guest.objects.filter(pk=pk).exists(), "the account is no guest")
    me = spa.get("/plain/").json()
    expect(me == {"authenticated": True, "pk": str(pk), "is_guest": False}, f"session: {me}")
    return "session guest -> headless signup -> same id, logged in"


def provider_signup() -> str:
    from allauth.socialaccount.models import SocialAccount

    spa, pk = _guest()
    response = spa.post(
        f"{HEADLESS}/auth/provider/redirect",
        {"provider": "dummy", "callback_url": "/plain/", "process": "login"},
    )
    expect(response.status_code == 302, "the provider redirect should redirect", response)
    response = spa.post(response["Location"], {"id": 51, "email": "dummy@example.com"})
    expect(response.status_code == 302, "the dummy provider should call back", response)
    expect(SocialAccount.objects.get(uid="51").user_id == pk, "the provider's account is the guest")
    return "session guest -> provider (dummy) -> same id"


def login_merges() -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username="spa-existing", email="spa-existing@example.com", password=PASSWORD
    )
    spa, pk = _guest()
    response = post_json(
        spa,
        f"{HEADLESS}/auth/login",
        {"email": "spa-existing@example.com", "password": PASSWORD},
    )
    expect(response.status_code == 200, "headless login should succeed", response)
    expect(user.notes.count() == 1, "the guest's note should move to the account")
    expect(not get_user_model().objects.filter(pk=pk).exists(), "the merged guest is gone")
    return "session guest -> headless login merged the guest"


if __name__ == "__main__":
    run("headless_browser", [signup_promotes_in_place, provider_signup, login_merges])
