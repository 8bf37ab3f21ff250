from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path

from config import health

from merchant.customers import customer_view
from shop.accounts import second_factor

admin.site.site_header = f"{settings.SHOP_NAME} administration"
admin.site.site_title = settings.SHOP_NAME

urlpatterns = [
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    # The merchant's customer page, inside the admin (staff only); before the admin's own URLs.
    path("admin/customers/<int:user_id>/", admin.site.admin_view(customer_view), name="merchant_customer"),
    # Browsers ask for /favicon.ico on their own; the file itself is a static file.
    path("favicon.ico", lambda request: redirect(static_url("favicon.ico"), permanent=True)),
    path("admin/", admin.site.urls),
    # A staff member's first authenticator app needs the link e-mailed to their verified address.
    path("accounts/2fa/totp/activate/", second_factor.activate_totp),
    path("accounts/", include("allauth.urls")),
    path("api/", include("config.api_urls")),
    path("privacy/", include("privacy.urls")),
    path("recommendations/", include("personalization.recommendations.urls")),
    path("newsletter/", include("personalization.marketing.urls")),
    path("cart/", include("shop.cart.urls")),
    path("checkout/", include("shop.checkout.urls")),
    path("payments/", include("shop.payments.urls")),
    path("", include("shop.accounts.urls")),
    path("", include("shop.orders.urls")),
    path("", include("shop.storefront.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
