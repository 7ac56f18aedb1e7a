def from_x_real_ip(request):
    """What a site behind one trusted proxy would configure as GUEST_AUTH_CLIENT_IP."""
    return request.META.get("HTTP_X_REAL_IP")


NOT_CALLABLE = "127.0.0.1"
