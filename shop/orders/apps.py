from django.apps import AppConfig

from shop.pricing.sales import sales_source_register


class OrdersConfig(AppConfig):
    name = "shop.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        # The selectors import the models: only once the apps are loaded.
        from .selectors import units_sold_by_variant

        sales_source_register(units_sold_by_variant)
