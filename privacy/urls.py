from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_notice, name="notice"),
    path("cookies/", views.cookie_list, name="cookies"),
    path("consent/", views.consent_settings, name="consent"),
    path("account/", views.account_privacy, name="account"),
    path("account/download/", views.account_export, name="account_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("download/<str:token>/", views.export_download, name="download"),
    path("delete/cancel/<str:token>/", views.erasure_cancel, name="erasure_cancel"),
    path("requests/", views.guest_request, name="guest_request"),
    path("requests/<str:token>/", views.guest_confirm, name="guest_confirm"),
    path("processing/", views.processing_record, name="processing"),
]
