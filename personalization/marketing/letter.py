"""How the newsletter's rows read in a person's copy of their data (privacy/export_letter.py),
named by this app's personal_data.py."""

from __future__ import annotations

from collections.abc import Iterable

from privacy.export_letter import Item, Letter, choice, when

from .models import Campaign


def subscriber_item(row: dict, letter: Letter) -> Item:
    item = Item(f"Newsletter to {row['email']}", when=f"Signed up {when(row['created_at'])}")
    item.fact("Status", choice("marketing.Subscriber", "status", row["status"]))
    item.fact("Confirmation e-mail sent", when(row["confirmation_sent_at"]))
    item.fact("Confirmed on", when(row["confirmed_at"]))
    item.fact("Unsubscribed on", when(row["unsubscribed_at"]))
    return item


def marketing_email_item(row: dict, letter: Letter) -> Item:
    item = Item(letter.named("marketing.Campaign", row["campaign"], "An e-mail from the shop"),
                when=when(row["sent_at"] or row["created_at"]))
    item.fact("Status", choice("marketing.MarketingEmail", "status", row["status"]))
    item.entries = [letter.product(product) for product in row["products"] or ()]
    return item


def campaigns_named(ids: set) -> Iterable[tuple[int, str]]:
    """Each campaign by its kind ("Weekly picks"), as the person's e-mails are listed under it; one query."""
    kinds = dict(Campaign._meta.get_field("kind").flatchoices)
    return ((pk, str(kinds.get(kind, kind))) for pk, kind in
            Campaign._base_manager.filter(pk__in=ids).values_list("pk", "kind"))
