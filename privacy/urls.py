from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_notice, name="notice"),
    path("cookies/", views.cookie_list, name="cookies"),
    path("consent/", views.consent_settings, name="consent"),
    path("account/", views.account_privacy, name="account"),
    path("processing/", views.processing_record, name="processing"),
]
