from django.apps import AppConfig


class DemoImportConfig(AppConfig):
    """The Online Retail importer and its `import_online_retail` command; no models of its own."""

    name = "shop.demo_import"
    label = "demo_import"
    verbose_name = "Demo import"
