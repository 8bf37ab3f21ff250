"""Privacy's own signal receivers, connected in PrivacyConfig.ready(): login, logout, and the shop's
audited looks at customer details."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from primitives import subjects
from primitives.subjects import Subject
from shop.orders.signals import customer_details_viewed

from .audit import audit_record
from .services import consent_link_visitor, visitor_link_record


@receiver(user_logged_in, dispatch_uid="privacy.link_visitor_at_login")
def link_visitor_at_login(sender, request, user, **kwargs) -> None:
    visitor_id = subjects.visitor_id(request) if request is not None else None
    if visitor_id is not None:
        visitor_link_record(user_id=user.pk, visitor_id=visitor_id)
    consent = getattr(request, "privacy_consent", None) if request is not None else None
    if consent is None:
        return
    consent_link_visitor(visitor_state=consent.visitor_state(), user=Subject.for_user(user))
    consent.refresh()


@receiver(user_logged_out, dispatch_uid="privacy.forget_visitor_at_logout")
def forget_visitor_at_logout(sender, request, user, **kwargs) -> None:
    # A shared computer: whoever uses the browser next must not inherit these choices.
    consent = getattr(request, "privacy_consent", None) if request is not None else None
    if consent is not None:
        consent.forget_visitor()


@receiver(customer_details_viewed, dispatch_uid="privacy.audit_customer_details_viewed")
def audit_customer_details_viewed(sender, order_id: int, staff_user_id: int, **kwargs) -> None:
    # Who looked at which order's decrypted details, and when: ids only.
    audit_record(action="customer_details_viewed", actor_id=staff_user_id, detail={"order_id": order_id})
