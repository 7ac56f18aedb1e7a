from django.http import HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from guest_auth.decorators import allow_guest, regular_user_required
from guest_auth.mixins import AllowGuestMixin, RegularUserRequiredMixin
from guest_auth.services import is_guest

from .models import Note


def _describe(user):
    return {
        "authenticated": user.is_authenticated,
        "pk": str(user.pk) if user.is_authenticated else None,
        "is_guest": is_guest(user),
    }


def plain(request):
    return JsonResponse(_describe(request.user))


def untouched(request):
    """Touches neither the session nor the user."""
    return HttpResponse("ok")


@allow_guest
def guest_view(request):
    return JsonResponse(_describe(request.user))


@csrf_exempt
@allow_guest
def add_note(request):
    Note.objects.create(user=request.user, text=request.POST.get("text", "note"))
    return JsonResponse(_describe(request.user))


@csrf_exempt
@allow_guest
async def async_add_note(request):
    user = await request.auser()
    await Note.objects.acreate(user=user, text=request.POST.get("text", "note"))
    return JsonResponse(_describe(user))


@allow_guest
async def async_guest_view(request):
    return JsonResponse(_describe(await request.auser()))


@regular_user_required
def regular_view(request):
    return HttpResponse("regular")


@regular_user_required
async def async_regular_view(request):
    return HttpResponse("regular")


class GuestCBV(AllowGuestMixin, View):
    def get(self, request):
        return JsonResponse(_describe(request.user))


class AsyncGuestCBV(AllowGuestMixin, View):
    async def get(self, request):
        return JsonResponse(_describe(await request.auser()))


class RegularCBV(RegularUserRequiredMixin, View):
    def get(self, request):
        return HttpResponse("regular")


class AsyncRegularCBV(RegularUserRequiredMixin, View):
    async def get(self, request):
        return HttpResponse("regular")


def session_cart(request):
    """Writes to the anonymous session, like a session cart."""
    request.session["cart"] = [*request.session.get("cart", []), request.GET.get("item", "x")]
    return HttpResponse("ok")


def template_view(request):
    from django.template import engines

    template = engines["django"].from_string(
        "{% load guest_auth %}{% if user|is_guest %}guest{% else %}not-guest{% endif %}"
    )
    return HttpResponse(template.render({"user": request.user}, request))


async def async_staff_view(request):
    """What an async view sees of the user's privileges."""
    user = await request.auser()
    return JsonResponse({"is_staff": user.is_staff, "is_superuser": user.is_superuser})
