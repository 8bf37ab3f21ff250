from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("test-provider/authenticate/<str:reference>/", views.test_authenticate, name="test_authenticate"),
]
