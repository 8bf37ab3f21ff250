from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    """Customer segments from recency, frequency and spend, and the segment prices they may carry."""

    name = "personalization.segments"
    label = "segments"
    verbose_name = "Customer segments"

    def ready(self) -> None:
        # Registrations into the shop's seams and privacy's signals need every app loaded.
        from shop import pricing
        from shop.accounts.roles import role_permissions_register

        from . import receivers
        from .pricing import segment_price_strategy

        receivers.connect()
        # Segment prices for consenting customers; everyone else the public price.
        pricing.price_strategy_register(segment_price_strategy)
        role_permissions_register(role="Owner", permissions=[
            f"segments.{action}_segmentdiscount" for action in ("add", "change", "delete", "view")])
