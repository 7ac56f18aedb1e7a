"""A URLconf without urlpatterns."""
