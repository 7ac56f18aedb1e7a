"""An app starts as a guest through guest_auth's API, then signs up or logs in
through allauth's headless API (app client), and the other way round."""

from tests.configs._apps import PASSWORD, client, expect, post_json, run

HEADLESS = "/_allauth/app/v1"


def _guest():
    from tests.testapp.models import Note

    app = client()
    response = post_json(app, "/api/guest/")
    expect(response.status_code == 201, "POST /api/guest/ should create a guest", response)
    body = response.json()
    Note.objects.create(user_id=body["id"], text="cart")
    return app, body


def signup_promotes_in_place() -> str:
    from django.contrib.auth import get_user_model

    from guest_auth.models import Guest

    app, guest = _guest()
    response = post_json(
        app,
        f"{HEADLESS}/auth/signup",
        {"email": "app-signup@example.com", "password": PASSWORD},
        Authorization=f"Token {guest['token']}",
    )
    expect(response.status_code == 200, "headless signup should log the account in", response)
    body = response.json()
    expect(body["data"]["user"]["id"] == guest["id"], "signup should keep the guest's id")
    expect(not Guest.objects.filter(pk=guest["id"]).exists(), "the account is no guest")
    user = get_user_model().objects.get(pk=guest["id"])
    expect(user.notes.count() == 1, "the guest's note should stay with the account")
    session = app.get(
        f"{HEADLESS}/auth/session", headers={"X-Session-Token": body["meta"]["session_token"]}
    )
    expect(session.status_code == 200, "allauth's session token should work", session)
    me = app.get("/api/guest/me/", headers={"Authorization": f"Token {guest['token']}"})
    expect(me.json()["is_guest"] is False, "the guest_auth token should say not a guest", me)
    return "guest_auth token -> headless signup -> same id, allauth session token"


def login_merges() -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username="app-existing", email="app-existing@example.com", password=PASSWORD
    )
    app, guest = _guest()
    response = post_json(
        app,
        f"{HEADLESS}/auth/login",
        {"email": "app-existing@example.com", "password": PASSWORD},
        Authorization=f"Token {guest['token']}",
    )
    expect(response.status_code == 200, "headless login should succeed", response)
    expect(user.notes.count() == 1, "the guest's note should move to the account")
    expect(not get_user_model().objects.filter(pk=guest["id"]).exists(), "merged guest is gone")
    session_token = response.json()["meta"]["session_token"]
    # The other way round: log out of allauth, continue as a new guest, log in again.
    response = app.delete(f"{HEADLESS}/auth/session", headers={"X-Session-Token": session_token})
    expect(response.status_code == 401, "headless logout should answer 401", response)
    app, guest = _guest()
    response = post_json(
        app,
        f"{HEADLESS}/auth/login",
        {"email": "app-existing@example.com", "password": PASSWORD},
        Authorization=f"Token {guest['token']}",
    )
    expect(response.status_code == 200, "logging in again should succeed", response)
    expect(user.notes.count() == 2, "the second guest's note should move too")
    return "guest_auth token -> headless login merged the guest, twice"


if __name__ == "__main__":
    run("headless_app", [signup_promotes_in_place, login_merges])
