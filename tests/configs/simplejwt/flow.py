"""A guest gets a JWT pair that says is_guest, promotes itself, and its next
refresh says is_guest: false; another client's refresh token is refused."""

import jwt

from tests.configs._apps import PASSWORD, client, expect, post_json, run


def _claims(token):
    from django.conf import settings

    return jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def guest_pair_then_promotion() -> str:
    app = client()
    response = post_json(app, "/api/guest/")
    expect(response.status_code == 201, "POST /api/guest/ should create a guest", response)
    guest = response.json()
    expect(_claims(guest["access"])["is_guest"] is True, "the access token should say guest")
    other = post_json(client(), "/api/guest/login/", {"credential": guest["credential"]}).json()
    bearer = {"Authorization": f"Bearer {guest['access']}"}
    response = post_json(
        app, "/api/guest/promote/", {"username": "jwt-user", "password": PASSWORD}, **bearer
    )
    expect(response.status_code == 200, "promotion with the access token should work", response)
    response = post_json(app, "/api/token/refresh/", {"refresh": guest["refresh"]})
    expect(response.status_code == 200, "the promoting client should refresh", response)
    expect(_claims(response.json()["access"])["is_guest"] is False, "fresh claim: not a guest")
    response = post_json(client(), "/api/token/refresh/", {"refresh": other["refresh"]})
    expect(response.status_code == 401, "another client's refresh should be refused", response)
    return "guest pair -> promote -> refresh says is_guest false; other client 401"


def regular_login() -> str:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="jwt-regular", password=PASSWORD)
    response = post_json(client(), "/api/token/", {"username": "jwt-regular", "password": PASSWORD})
    expect(response.status_code == 200, "simplejwt's login should work", response)
    expect(_claims(response.json()["access"])["is_guest"] is False, "a regular user's token")
    return "simplejwt login: is_guest false"


if __name__ == "__main__":
    run("simplejwt", [guest_pair_then_promotion, regular_login])
