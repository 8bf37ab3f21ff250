from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shop.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import fragments, search

        connection_created.connect(search.connection_prepare, dispatch_uid="catalog_search_connection_prepare")
        fragments.connect_model_receivers()
