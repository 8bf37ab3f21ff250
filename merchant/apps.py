from django.apps import AppConfig


class MerchantConfig(AppConfig):
    """The merchant's dashboard on the admin index.

    It lives outside `shop` because one panel (consent rates) reads `privacy`, which the shop
    must never import; this app may import both and owns no models.
    """

    name = "merchant"
    verbose_name = "Merchant dashboard"
