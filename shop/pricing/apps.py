from django.apps import AppConfig

from . import price_strategy_for


class PricingConfig(AppConfig):
    """Demand pricing: rules the merchant sets, the scheduled recompute and every price change."""

    name = "shop.pricing"
    label = "pricing"
    verbose_name = "Pricing"

    def ready(self) -> None:
        # These import models: only once the apps are loaded. Importing .api.serializers also
        # describes the catalog's price field in the API schema.
        from shop.catalog.api.serializers import price_body_register
        from shop.catalog.fragments import price_group_register

        from . import checks  # noqa: F401  (registers the settings check)
        from .api.serializers import price_body

        # Shared fragments that show prices are kept per price group: the request strategy's.
        price_group_register(lambda request: price_strategy_for(request).fragment_key)
        price_body_register(price_body)
