"""The REST API: `/api/v1/` resources, the OpenAPI schema and its interactive documentation."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from privacy.api import views as privacy
from shop.accounts.api import views as accounts
from shop.api.converters import IdConverter
from shop.api.docs import api_docs
from shop.api.errors import api_not_found
from shop.cart.api import views as cart
from shop.catalog.api import views as catalog
from shop.storefront.api.recommendations import Recommendations
from shop.checkout.api import views as checkout
from shop.orders.api import views as orders

register_converter(IdConverter, "id")

v1 = [
    path("auth/tokens/", accounts.TokenListCreate.as_view(), name="token-list"),
    path("auth/tokens/<id:token_id>/", accounts.TokenDetail.as_view(), name="token-detail"),
    path("categories/", catalog.CategoryList.as_view(), name="category-list"),
    path("products/", catalog.ProductList.as_view(), name="product-list"),
    path("products/search/", catalog.ProductSearch.as_view(), name="product-search"),
    path("products/<slug:slug>/", catalog.ProductDetail.as_view(), name="product-detail"),
    path("recommendations/", Recommendations.as_view(), name="recommendations"),
    path("cart/", cart.CartDetail.as_view(), name="cart"),
    path("cart/lines/", cart.CartLines.as_view(), name="cart-lines"),
    path("cart/lines/<id:variant_id>/", cart.CartLine.as_view(), name="cart-line"),
    path("checkout/", checkout.CheckoutDetail.as_view(), name="checkout"),
    path("checkout/address/", checkout.CheckoutAddress.as_view(), name="checkout-address"),
    path("checkout/shipping-methods/", checkout.CheckoutShippingMethods.as_view(),
         name="checkout-shipping-methods"),
    path("checkout/shipping-method/", checkout.CheckoutShippingMethod.as_view(), name="checkout-shipping-method"),
    path("checkout/place/", checkout.CheckoutPlace.as_view(), name="checkout-place"),
    path("orders/", orders.OrderList.as_view(), name="order-list"),
    path("orders/<str:number>/", orders.OrderDetail.as_view(), name="order-detail"),
    path("privacy/consent/", privacy.ConsentDetail.as_view(), name="privacy-consent"),
    path("privacy/export/", privacy.ExportDetail.as_view(), name="privacy-export"),
    path("privacy/export/<str:token>/", privacy.ExportDownload.as_view(), name="privacy-export-download"),
    path("privacy/erasure/", privacy.ErasureDetail.as_view(), name="privacy-erasure"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
    path("v1/", include((v1, "api"))),
    # Last: an address that matches nothing above (a malformed id too) is a JSON 404.
    re_path(r"^", api_not_found),
]
