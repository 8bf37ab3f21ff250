"""Staff roles: groups with exactly the permissions each job needs.

- Catalog manager: products, variants, pictures, stock, categories, shipping methods, demand pricing rules.
- Order manager: orders (status changes, refunds) and the customer details they need to ship them.
- Owner: everything above, plus staff accounts and payments.

Apps above the shop add their own permissions to a role, and to those that need a second
factor, from their `AppConfig.ready()` (`role_permissions_register`,
`second_factor_permissions_register`): the shop names no permission of theirs.

Customer names, addresses and guests' e-mail addresses are decrypted in the admin
only for holders of `orders.view_customer_details`.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission

CATALOG = [f"catalog.{action}_{model}" for model in ("category", "product", "productvariant", "productimage")
           for action in ("add", "change", "delete", "view")] + [
    f"checkout.{action}_shippingmethod" for action in ("add", "change", "view")] + [
    f"pricing.{action}_demandrule" for action in ("add", "change", "delete", "view")] + [
    "pricing.view_pricechange", "pricing.view_pricingrun"]
ORDERS = ["orders.view_order", "orders.view_orderline", "orders.view_orderstatuschange",
          "orders.change_order_status", "orders.refund_order", "orders.view_customer_details",
          "payments.view_payment", "payments.view_refund"]
OWNER_EXTRA = ["accounts.view_user", "accounts.change_user", "auth.view_group"]

ROLES: dict[str, list[str]] = {
    "Catalog manager": list(CATALOG),
    "Order manager": list(ORDERS),
    "Owner": CATALOG + ORDERS + OWNER_EXTRA,
}


# Holders of any of these see or move customers' personal data and money: they must sign
# in with a second factor before the admin opens (see config.admin).
SECOND_FACTOR_PERMISSIONS = ["orders.view_customer_details", "orders.refund_order",
                             "accounts.view_user", "accounts.change_user"]


def role_permissions_register(*, role: str, permissions: Iterable[str]) -> None:
    """Give a role an app's permissions ("app_label.codename"); called from that app's `ready()`.

    Registering the same permission twice keeps it once. The groups follow at the next `migrate`."""
    held = ROLES[role]
    held.extend(dotted for dotted in permissions if dotted not in held)


def second_factor_permissions_register(*, permissions: Iterable[str]) -> None:
    """Make holders of these permissions sign in with a second factor; called from an app's `ready()`."""
    SECOND_FACTOR_PERMISSIONS.extend(dotted for dotted in permissions if dotted not in SECOND_FACTOR_PERMISSIONS)


def _permission(dotted: str, using: str = "default") -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)


def staff_roles_sync(*, using: str = "default") -> dict[str, int]:
    """Create or update the role groups to hold exactly their permissions. Safe to run twice.

    Runs after every `migrate` (shop.accounts.apps)."""
    counts = {}
    for name, permissions in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set([_permission(dotted, using) for dotted in permissions])
        counts[name] = len(permissions)
    return counts


def staff_needs_second_factor(user) -> bool:
    """Whether this staff member's permissions require a second factor (superusers do)."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or any(user.has_perm(perm) for perm in SECOND_FACTOR_PERMISSIONS)
