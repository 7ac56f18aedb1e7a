from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from tests.helpers.clients import BROWSER_UA


def session_store(key=None) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def anonymous_session(**data) -> str:
    """Save an anonymous session holding ``data`` and return its key."""
    session = session_store()
    session.update(data)
    session.save()
    return session.session_key


def make_request(path="/", session_key=None, user_agent=BROWSER_UA):
    """A request that went through the session, auth and guest middleware."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse

    from guest_auth.middleware import GuestMiddleware

    request = RequestFactory().get(path, HTTP_USER_AGENT=user_agent)
    if session_key:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = session_key
    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    # The real middleware, through its public class: it prepares the request (the lazy
    # user, the session watch) and, with no user loaded, leaves it at that.
    GuestMiddleware(lambda request: HttpResponse())(request)
    return request


def session_user_id(client):
    return client.session.get(SESSION_KEY)
