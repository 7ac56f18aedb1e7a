from tests.configs._urls import urlpatterns

__all__ = ["urlpatterns"]
