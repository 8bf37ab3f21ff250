from django import template

from ..newsletter import subscription_of_user

register = template.Library()


@register.simple_tag
def newsletter_status(user) -> str:
    """The signed-in account's subscription: "confirmed", "pending", "unsubscribed" or "" (none)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    found = subscription_of_user(user=user)
    return found.status if found is not None else ""

