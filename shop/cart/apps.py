from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shop.cart"
    label = "cart"
    verbose_name = "Carts"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (merges a visitor's cart on login)
