from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _last_app_with_role_permissions() -> str:
    """The label of the last installed app whose permissions the staff roles use."""
    from shop.accounts.roles import ROLES

    needed = {dotted.split(".", 1)[0] for permissions in ROLES.values() for dotted in permissions}
    return [config.label for config in apps.get_app_configs() if config.label in needed][-1]


def _sync_staff_roles(sender, using: str = "default", **kwargs) -> None:
    # Django sends post_migrate once per app with models, creating each app's permissions in
    # its turn: the roles are synced after the last app they draw permissions from.
    if sender.label != _last_app_with_role_permissions():
        return
    from shop.accounts.roles import staff_roles_sync

    staff_roles_sync(using=using)


class AccountsConfig(AppConfig):
    name = "shop.accounts"
    label = "accounts"
    verbose_name = "Customers and staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from shop.accounts.receivers import superuser_address_verify

        from .session_idle import session_stamp_on_login

        post_migrate.connect(_sync_staff_roles, dispatch_uid="shop.staff_roles")
        post_save.connect(superuser_address_verify, sender=self.get_model("User"),
                          dispatch_uid="shop.superuser_address_verify")
        user_logged_in.connect(session_stamp_on_login, dispatch_uid="accounts.session_idle_stamp")
