"""Logins that do not check a credential (a password-reset link), and a guest with a row."""

from django.contrib.auth import SESSION_KEY, get_user_model

from tests.testapp.models import Note

__all__ = ["follow_reset_link", "guest_with_note", "reset_link_for"]


def reset_link_for(user, client=None):
    """The post_reset_login link an attacker mails to a victim, for ``user``'s account."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/reset-and-login/{uid}/{default_token_generator.make_token(user)}/"


def follow_reset_link(client, link, password="Victims-Choice-42"):
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content
    return response


def guest_with_note(client):
    client.get("/guest-view/")
    guest_pk = client.session[SESSION_KEY]
    Note.objects.create(
        user_id=get_user_model()._meta.pk.to_python(guest_pk), text="victim's address"
    )
    return guest_pk
