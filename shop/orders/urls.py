from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("account/orders/", views.order_history, name="history"),
    path("account/orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/find/", views.find_guest_orders, name="find_guest"),
    path("orders/<str:token>/", views.order_guest_detail, name="guest_detail"),
]
