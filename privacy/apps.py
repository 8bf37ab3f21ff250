from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from shop.accounts.roles import role_permissions_register

        from . import receivers  # noqa: F401  (connects the login receiver)
        from .checks import registry_check

        checks.register(registry_check, "privacy")
        # The shop's owner sees what the shop has said about people in aggregate, and what it
        # may still say this month: the disclosure budget and its releases (read-only).
        role_permissions_register(role="Owner", permissions=[
            "privacy.view_disclosurebudget", "privacy.view_disclosurerelease"])
