from django.urls import path

from . import views

app_name = "personalization"

urlpatterns = [
    path("why/", views.why_recommended, name="why"),
]
