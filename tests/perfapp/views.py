"""Plain-Django baselines and their guest_auth counterparts, for tests/cross/test_query_counts.py.

The baselines use nothing from guest_auth, so they cost what a site without
guest_auth pays; each guest view does the same work otherwise.
"""

import secrets

from django.contrib.auth import get_user_model, login
from django.db import models
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guest_auth.decorators import allow_guest


def _whoami(user):
    return JsonResponse({"authenticated": user.is_authenticated, "pk": str(user.pk)})


@csrf_exempt
@require_POST
def create_and_login(request):
    """Plain Django: create a user with an unusable password and log it in."""
    model = get_user_model()
    username = f"plain_{secrets.token_hex(10)}"
    if isinstance(model._meta.get_field(model.USERNAME_FIELD), models.EmailField):
        username = f"{username}@example.com"
    user = model(**{model.USERNAME_FIELD: username})
    user.set_unusable_password()
    user.save()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _whoami(request.user)


@csrf_exempt
@require_POST
@allow_guest
def create_guest(request):
    """The same request through allow_guest."""
    return _whoami(request.user)


def whoami(request):
    """Reads request.user and nothing else, like most pages."""
    return _whoami(request.user)


async def awhoami(request):
    return _whoami(await request.auser())


def untouched(request):
    """Looks at neither request.user nor the session."""
    return HttpResponse("ok")
