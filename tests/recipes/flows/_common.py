# (startproject allows localhost with DEBUG, not testserver.)
# The start of every flow (tests/recipes/flows/*.py is appended to it), run by
# the new project's Python in the project's directory.
import json
import sys
import types

import django

django.setup()

import mysite.urls
import site_views
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

from guest_auth.models import Guest

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
User = get_user_model()

# The project's URLs plus the site's own view that the quick start decorates.
flow_urls = types.ModuleType("flow_urls")
flow_urls.urlpatterns = [
    path("cart/add/<int:product_id>/", site_views.add_to_cart),
    *mysite.urls.urlpatterns,
]
sys.modules["flow_urls"] = flow_urls
override_settings(ROOT_URLCONF="flow_urls").enable()


def expect(condition, message):
    if not condition:
        sys.exit(f"flow failed: {message}")


def browser():
    return Client(HTTP_USER_AGENT=BROWSER, HTTP_HOST="localhost")


def become_guest(client):
    """The README's decorated view makes the visitor a guest, with a cart."""
    response = client.get("/cart/add/7/")
    expect(response.status_code == 200, f"add_to_cart answered {response.status_code}")
    body = response.json()
    expect(Guest.objects.filter(pk=body["pk"]).exists(), "no guest was created")
    return body["pk"]


def api_json(client, method, url, data=None, **extra):
    response = getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json", **extra
    )
    return response
