"""How the recommendations' rows read in a person's copy of their data (privacy/export_letter.py),
named by this app's personal_data.py."""

from __future__ import annotations

from privacy.export_letter import Item, Letter, choice, when

LIST_LABEL = "recommendations.RecommendationList"


def behaviour_event_item(row: dict, letter: Letter) -> Item:
    item = Item(f"{choice('recommendations.BehaviourEvent', 'kind', row['kind'])}: {letter.product(row['product'])}",
                when=when(row["occurred_at"]))
    if row["quantity"] != 1:
        item.fact("How many", row["quantity"])
    item.fact("In", letter.order(row["order"]))
    return item


def recommendation_list_item(row: dict, letter: Letter) -> Item:
    title = choice(LIST_LABEL, "rail", row["rail"])
    if row["product"] is not None:
        title = f"{title}: {letter.product(row['product'])}"
    reasons = letter.sections[LIST_LABEL].get("explanations", {}).get(str(row["id"]), [])
    item = Item(title)
    for position, entry in enumerate(row["items"] or ()):
        why = reasons[position] if position < len(reasons) else ""
        product = letter.product(entry.get("product")) if isinstance(entry, dict) else letter.product(entry)
        item.entries.append(f"{product} — {why}" if why else product)
    return item


def preview_item(row: dict, letter: Letter) -> Item:
    return Item("You looked at a customer's recommendations", when=when(row["viewed_at"]))
