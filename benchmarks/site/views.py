"""Plain-Django views: nothing here imports guest_auth, so the plain site can serve them."""

import secrets

from django.contrib.auth import get_user_model, login
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Visit


def reply(user) -> JsonResponse:
    return JsonResponse({"pk": str(user.pk) if user.is_authenticated else None})


@csrf_exempt
@require_POST
def start(request, record=False):
    """The baseline of a guest-creating request: create a user with an unusable
    password and log it in, as a site without guest_auth would."""
    model = get_user_model()
    user = model(**{model.USERNAME_FIELD: f"plain_{secrets.token_hex(10)}"})
    user.set_unusable_password()
    user.save()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if record:
        Visit.objects.create(user=user)
    return reply(request.user)


def whoami(request):
    """Reads request.user, like any page showing who is logged in."""
    return reply(request.user)


@csrf_exempt
@require_POST
def visit(request):
    """A returning visitor's write: one Visit row for request.user."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("not logged in")
    Visit.objects.create(user=request.user)
    return reply(request.user)


def anonymous(request):
    """Gives an anonymous visitor a session, as a session cart does."""
    request.session["cart"] = ["benchmark"]
    return HttpResponse("ok")


def untouched(request):
    """Looks at neither request.user nor the session."""
    return HttpResponse("ok")
