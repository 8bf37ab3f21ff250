"""On login, the visitor's cart joins the account's cart, and the shopper is told what changed."""

from allauth.account.signals import user_logged_in
from django.contrib import messages
from django.dispatch import receiver

from primitives.subjects import visitor_key

from .services import cart_merge


@receiver(user_logged_in, dispatch_uid="shop.cart.merge_on_login")
def merge_visitor_cart(sender, request, user, **kwargs) -> None:
    key = visitor_key(request)
    if not key:
        return
    notes = cart_merge(visitor_key=key, user_id=user.pk)
    if notes:
        messages.info(request, "We kept what you added before logging in. " + " ".join(note.text for note in notes))
