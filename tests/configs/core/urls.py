from tests.configs._urls import web_urls

__all__ = ["urlpatterns"]

# recipe: docs/howto/install.md#minimal-urls
# urls.py
from django.urls import include, path

urlpatterns = [
    # ...
    path("guest/", include("guest_auth.urls")),
]
# end recipe
urlpatterns += web_urls
