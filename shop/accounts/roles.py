"""Staff roles: groups with exactly the permissions each job needs.

- Catalog manager: products, variants, pictures, stock, categories, shipping methods.
- Order manager: orders (status changes, refunds) and the customer details they need to ship them.
- Owner: everything above, plus staff accounts and payments.

Customer names, addresses and guests' e-mail addresses are decrypted in the admin
only for holders of `orders.view_customer_details`.
"""

from django.contrib.auth.models import Group, Permission

CATALOG = [f"catalog.{action}_{model}" for model in ("category", "product", "productvariant", "productimage")
           for action in ("add", "change", "delete", "view")] + [
    f"checkout.{action}_shippingmethod" for action in ("add", "change", "view")]
ORDERS = ["orders.view_order", "orders.view_orderline", "orders.view_orderstatuschange",
          "orders.change_order_status", "orders.refund_order", "orders.view_customer_details",
          "payments.view_payment", "payments.view_refund"]
OWNER_EXTRA = ["accounts.view_user", "accounts.change_user", "auth.view_group"]

ROLES: dict[str, list[str]] = {
    "Catalog manager": CATALOG,
    "Order manager": ORDERS,
    "Owner": CATALOG + ORDERS + OWNER_EXTRA,
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def staff_roles_sync() -> dict[str, int]:
    """Create or update the role groups to hold exactly their permissions. Safe to run twice."""
    counts = {}
    for name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(dotted) for dotted in permissions])
        counts[name] = len(permissions)
    return counts
