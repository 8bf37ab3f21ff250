from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Demand pricing: rules the merchant sets, the scheduled recompute and every price change."""

    name = "shop.pricing"
    label = "pricing"
    verbose_name = "Pricing"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the settings check)
