from tests.configs._api_urls import api_urls
from tests.configs._urls import web_urls

__all__ = ["urlpatterns"]

urlpatterns = [*web_urls, *api_urls]
