from django.urls import path

from . import newsletter_views

app_name = "newsletter"

urlpatterns = [
    path("", newsletter_views.newsletter_sign_up, name="sign_up"),
    path("confirm/<str:token>/", newsletter_views.newsletter_confirm, name="confirm"),
    path("unsubscribe/<str:token>/", newsletter_views.newsletter_unsubscribe, name="unsubscribe"),
]
