"""Start-up checks of the pricing settings."""

from django.conf import settings
from django.core.checks import Error, register

from .selectors import PRICE_CHART_DAYS


@register()
def price_history_kept_long_enough(app_configs, **kwargs) -> list[Error]:
    """The purge must not delete history that the 30-day reference or the admin's chart still read."""
    needed = max(PRICE_CHART_DAYS, settings.PRICING_REDUCTION_REFERENCE_DAYS)
    if settings.PRICING_HISTORY_RETENTION_DAYS < needed:
        return [Error(f"PRICING_HISTORY_RETENTION_DAYS is {settings.PRICING_HISTORY_RETENTION_DAYS}; price history "
                      f"must be kept at least {needed} days (the admin's price chart and the 30-day reference).",
                      hint=f"Set PRICING_HISTORY_RETENTION_DAYS to {needed} or more.", id="pricing.E001")]
    return []
