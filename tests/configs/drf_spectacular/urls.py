from tests.configs._api_urls import api_urls
from tests.configs._urls import urlpatterns

__all__ = ["urlpatterns"]

urlpatterns = [*urlpatterns, *api_urls]
