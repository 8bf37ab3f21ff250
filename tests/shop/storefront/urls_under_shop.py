"""The shop's URLs under /shop/, to see the layout's addresses follow a URLconf change."""

from django.urls import include, path

urlpatterns = [path("shop/", include("config.urls"))]
