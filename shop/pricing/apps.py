from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Demand pricing: rules the merchant sets, the scheduled recompute and every price change."""

    name = "shop.pricing"
    label = "pricing"
    verbose_name = "Pricing"
