"""The guest_auth counterpart of views.start."""

from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guest_auth.decorators import allow_guest

from .models import Visit
from .views import reply


@csrf_exempt
@require_POST
@allow_guest
def start(request, record=False):
    if not request.user.is_authenticated:
        return HttpResponseForbidden("no guest for this request")
    if record:
        Visit.objects.create(user=request.user)
    return reply(request.user)
