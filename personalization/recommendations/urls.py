from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("why/", views.why_recommended, name="why"),
]
