"""The shop's REST API, used by the plain-JavaScript page (/app/).

Clients authenticate with guest_auth's API token (``Authorization: Token
...``), which ``POST /api/guest/`` hands out; the cart is the token's user's,
guest or not.
"""

from django.db.models import F
from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
from guest_auth.services import is_guest

from .models import MAX_QUANTITY, CartItem, Product


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "price", "description"]


class AddSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)


class _ShopAPIView(APIView):
    authentication_classes = [GuestTokenAuthentication]
    parser_classes = [JSONParser]


class ProductsView(_ShopAPIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(ProductSerializer(Product.objects.all(), many=True).data)


class CartView(_ShopAPIView):
    """GET: the cart. POST {"product": id}: one more of it (201)."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(_cart(request.user))

    def post(self, request):
        data = AddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = get_object_or_404(Product, pk=data.validated_data["product"])
        item, created = CartItem.objects.get_or_create(user=request.user, product=product)
        if not created:
            CartItem.objects.filter(pk=item.pk, quantity__lt=MAX_QUANTITY).update(
                quantity=F("quantity") + 1
            )
        return Response(_cart(request.user), status=status.HTTP_201_CREATED)


def _cart(user):
    items = CartItem.objects.filter(user=user).select_related("product")
    return {
        "user": {"id": user.pk, "username": user.get_username(), "is_guest": is_guest(user)},
        "items": [
            {"product": item.product_id, "name": item.product.name, "quantity": item.quantity}
            for item in items
        ],
        "count": sum(item.quantity for item in items),
    }
