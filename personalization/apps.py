from django.apps import AppConfig


class PersonalizationConfig(AppConfig):
    name = "personalization"
    verbose_name = "Personalization"

    def ready(self) -> None:
        from shop import pricing, recommendations

        from . import receivers
        from .pricing import segment_price_strategy
        from .serving import StoredRails

        receivers.connect()
        recommendations.rail_source_register(StoredRails())
        # Segment prices for consenting customers; everyone else the public price.
        pricing.price_strategy_register(segment_price_strategy)
