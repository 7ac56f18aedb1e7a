from django.urls import path

from . import api

urlpatterns = [
    path("products/", api.ProductsView.as_view(), name="api_products"),
    path("cart/", api.CartView.as_view(), name="api_cart"),
]
