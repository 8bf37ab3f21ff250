"""The signed-in customer's own orders (shop.orders.selectors); nobody else's."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from shop.api.errors import ServiceRefusal
from shop.orders.models import OrderLine
from shop.orders.selectors import order_detail_for_user, orders_for_user


class OrderLineSerializer(serializers.Serializer):
    line_number = serializers.IntegerField()
    sku = serializers.CharField(source="product_sku")
    title = serializers.CharField(source="product_title")
    quantity = serializers.IntegerField()
    quantity_cancelled = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    price_personalized = serializers.BooleanField(help_text="The unit price was a personal one (a segment price).")


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    placed_at = serializers.DateTimeField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = serializers.DecimalField(max_digits=10, decimal_places=2)
    tax_total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="VAT included.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_method = serializers.CharField()
    shipping_country = serializers.CharField()
    lines = OrderLineSerializer(many=True, source="lines.all")


class OrderList(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OrderSerializer

    @extend_schema(summary="Your orders, newest first", operation_id="orders_list",
                   responses=OrderSerializer(many=True))
    def get(self, request):
        orders = orders_for_user(user_id=request.user.pk).prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OrderDetail(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OrderSerializer

    @extend_schema(summary="One of your orders")
    def get(self, request, number: str):
        order = order_detail_for_user(user_id=request.user.pk, number=number[:32])
        if order is None:
            raise ServiceRefusal("You have no order with that number.", status_code=404, code="not_found")
        return Response(self.get_serializer(order).data)
