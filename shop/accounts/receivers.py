"""A superuser's own address counts as verified from the moment the account exists.

Production's login requires a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory") and the
second factor's enrolment link goes only to one, so a superuser made with `createsuperuser` could
otherwise not sign in until someone edited the database. Whoever can create a superuser (a shell
on the server, or another superuser) vouches for the address they typed.
"""

from __future__ import annotations

from django.apps import apps


def superuser_address_verify(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """On a new superuser only (fixtures loaded raw are left as they are): its login address, verified."""
    if not created or raw or not instance.is_superuser or not instance.email:
        return
    email_address = apps.get_model("account", "EmailAddress")
    email_address.objects.update_or_create(user=instance, email=instance.email,
                                           defaults={"verified": True, "primary": True})
