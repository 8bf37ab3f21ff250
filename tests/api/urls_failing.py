"""The shop's URLs plus one API view with a bug, to see what a client gets on a server error."""

from django.urls import path
from rest_framework.views import APIView

from config.urls import urlpatterns as shop_urlpatterns


class BrokenView(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("simulated failure")


urlpatterns = [path("api/v1/broken/", BrokenView.as_view()), *shop_urlpatterns]
