from django.urls import path

from . import second_factor, views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account_overview, name="overview"),
    path("accounts/2fa/enrol/<str:token>/", second_factor.enrolment_link, name="second_factor_enrol"),
    path("account/addresses/", views.address_list, name="addresses"),
    path("account/addresses/add/", views.address_add, name="address_add"),
    path("account/addresses/<int:address_id>/edit/", views.address_edit, name="address_edit"),
    path("account/addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
]
