"""Views a site would have: guests fill a cart, and custom views log people in."""

from django.contrib.auth import aauthenticate, alogin, authenticate, login, logout
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from guest_auth.decorators import allow_guest
from guest_auth.services import is_guest

from .models import CartItem


@csrf_exempt
@allow_guest
def add_to_cart(request):
    CartItem.objects.create(user=request.user, product_id=request.POST["product"])
    return HttpResponse("ok")


def set_session(request):
    """Stores every GET parameter in the session."""
    request.session.update(request.GET.dict())
    return HttpResponse("ok")


def show_session(request):
    return JsonResponse({key: request.session.get(key) for key in request.GET})


@csrf_exempt
def custom_login(request):
    """A site's own view calling django.contrib.auth.login() directly.

    It looks at request.user first, as views often do.
    """
    was_guest = is_guest(request.user)
    user = authenticate(
        request, username=request.POST["username"], password=request.POST["password"]
    )
    login(request, user)
    return JsonResponse({"was_guest": was_guest, "pk": str(request.user.pk)})


@csrf_exempt
@allow_guest
def add_then_log_in(request):
    """A guest made by this request fills its cart, then logs into an account."""
    CartItem.objects.create(user=request.user, product_id=request.POST["product"])
    return custom_login(request)


@csrf_exempt
async def async_login(request):
    user = await aauthenticate(
        request, username=request.POST["username"], password=request.POST["password"]
    )
    await alogin(request, user)
    return JsonResponse({"pk": str(user.pk)})


@csrf_exempt
def switch_account(request):
    """Logs the current user out, then another one in, in the same request."""
    logout(request)
    user = authenticate(
        request, username=request.POST["username"], password=request.POST["password"]
    )
    login(request, user)
    return JsonResponse({"pk": str(request.user.pk)})
