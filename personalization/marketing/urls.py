from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.newsletter_sign_up, name="sign_up"),
    path("confirm/<str:token>/", views.newsletter_confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.newsletter_unsubscribe, name="unsubscribe"),
]
