from django.urls import path

from . import views

app_name = "checkout"

urlpatterns = [
    path("start/", views.checkout_start, name="start"),
    path("details/", views.checkout_details, name="details"),
    path("shipping/", views.checkout_shipping, name="shipping"),
    path("review/", views.checkout_review, name="review"),
    path("place/", views.checkout_place, name="place"),
    path("payment/<str:key>/return/", views.payment_return, name="payment_return"),
    path("webhooks/<str:provider>/", views.payment_webhook, name="webhook"),
]
