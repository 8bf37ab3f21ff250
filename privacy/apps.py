from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the login receiver)
        from .checks import registry_check

        checks.register(registry_check, "privacy")
