from django.contrib.auth import SESSION_KEY, get_user_model

from guest_auth.services import is_guest

from .models import CartItem, Preferences


def shop(request):
    """The header's visitor, greeting and cart count (small queries for signed-in visitors)."""
    user = _header_user(request)
    if not user.is_authenticated:
        return {"cart_count": 0, "greeting_name": "", "header_user": user}
    display_name = (
        Preferences.objects.filter(user=user).values_list("display_name", flat=True).first()
    )
    count = sum(CartItem.objects.filter(user=user).values_list("quantity", flat=True))
    return {"cart_count": count, "greeting_name": display_name or "", "header_user": user}


def _header_user(request):
    """request.user, or the session's guest where guest_auth shows it as anonymous.

    On allauth's sign-up and log-in pages a guest is anonymous (so that allauth
    lets it sign up or log in); the header still says it is browsing as a guest,
    with its cart, as on every other page.
    """
    user = request.user
    session = getattr(request, "session", None)
    if user.is_authenticated or session is None or session.get(SESSION_KEY) is None:
        return user
    model = get_user_model()
    pk = model._meta.pk.to_python(session[SESSION_KEY])
    found = model._default_manager.filter(pk=pk).first()
    return found if found is not None and is_guest(found) else user
