"""On login, the visitor's cart joins the account's cart, and the shopper is told what changed.
Every save or delete of a cart line raises its cart's revision, in the same transaction."""

from allauth.account.signals import user_logged_in
from django.contrib import messages
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from primitives.subjects import visitor_key

from .models import Cart, CartLine
from .services import cart_merge


@receiver(user_logged_in, dispatch_uid="shop.cart.merge_on_login")
def merge_visitor_cart(sender, request, user, **kwargs) -> None:
    key = visitor_key(request)
    if not key:
        return
    notes = cart_merge(visitor_key=key, user_id=user.pk)
    if notes:
        messages.info(request, "We kept what you added before logging in. " + " ".join(note.text for note in notes))


@receiver(post_save, sender=CartLine, dispatch_uid="shop.cart.revision_on_line_save")
@receiver(post_delete, sender=CartLine, dispatch_uid="shop.cart.revision_on_line_delete")
def cart_revision_raise(sender, instance: CartLine, **kwargs) -> None:
    """Whoever changes a line (the cart's services, an order paid for by a provider's webhook, the
    admin, a cascade), the cart's revision changes with it: a session's copy of the lines
    (shop.cart.session) read at the old revision is then read afresh."""
    Cart.objects.filter(pk=instance.cart_id).update(revision=F("revision") + 1)
