"""The shop's URLs plus one view that fails, to see what a shopper gets on a server error."""

from django.urls import path

from config.urls import urlpatterns as shop_urlpatterns


def broken_view(request):
    raise RuntimeError("simulated failure")


urlpatterns = [path("broken/", broken_view), *shop_urlpatterns]
