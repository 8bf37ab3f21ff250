from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_staff_roles(sender, **kwargs) -> None:
    from shop.accounts.roles import staff_roles_sync

    staff_roles_sync()


class StorefrontConfig(AppConfig):
    name = "shop.storefront"
    label = "storefront"
    verbose_name = "Storefront"

    def ready(self) -> None:
        # After the shop's apps (listed before this one) have their permissions.
        post_migrate.connect(_sync_staff_roles, sender=self, dispatch_uid="shop.staff_roles")
