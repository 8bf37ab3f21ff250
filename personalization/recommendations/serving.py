"""Rails from the serving model version's stored lists: one query per page, a reason for each product.

Lists that say nothing about the person (trending, also bought, similar) are kept under the
catalog version (`shop.catalog.fragments.shared_read`): a cached page reads none; activating a
new version bumps the catalog version.

Registered as the shop's rail source (`shop.recommendations`). Consent is checked on
the server for every request: without personalization consent only rails that use
nothing about the person are read (trending, also bought, similar), and nothing about
them is computed or stored.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache

from django.db import connection
from django.db.models import Q, Subquery
from django.http import HttpRequest
from django.urls import reverse

from primitives.compiled_queries import rows_for_id
from primitives.subjects import Subject
from privacy.consent import has_consent
from privacy.purposes import PERSONALIZATION
from shop.catalog.fragments import shared_read
from shop.recommendations import SHOWN_PER_RAIL, RailSpec, Suggestion

from .models import BehaviourEvent, EventKind, ModelVersion, ModelVersionStatus, Rail, RecommendationList

logger = logging.getLogger(__name__)

RECENT_VIEWS = 3  # "Because you viewed ...": the last products viewed
SUGGESTIONS_PER_RAIL = 2 * SHOWN_PER_RAIL


def reason_text(entry: dict) -> str:
    """The reason of one stored recommendation, in words. A number of customers is the figure
    released with noise at training time (privacy.disclosure), already rounded: "about"."""
    about = entry.get("about_title") or "something you liked"
    match entry.get("reason"):
        case "because_you_bought":
            return f"Because you bought {about}"
        case "because_you_viewed":
            return f"Because you viewed {about}"
        case "bought_with":
            customers = entry.get("customers")
            return (f"Bought with {about} by about {customers} customers" if customers
                    else f"Often bought with {about}")
        case "similar_to":
            return f"Similar to {about}"
        case "bought_before":
            return "You have bought this before"
        case "new_in":
            return "New in the shop, and like what you buy"
        case "trending":
            customers = entry.get("customers")
            return (f"Popular: bought by about {customers} customers in the last 30 days" if customers
                    else "Popular with customers right now")
        case "popular":
            customers = entry.get("customers")
            return (f"Popular: bought by about {customers} customers in all" if customers
                    else "One of the shop's most-bought products")
    return "Recommended"


@lru_cache(maxsize=1)
def _why_base() -> str:
    return reverse("recommendations:why")


def why_url(rail: str, entry: dict) -> str:
    # Every value is a known code or an integer: no escaping needed, and no reverse() per product.
    url = f"{_why_base()}?rail={rail}&product={int(entry['product'])}&reason={entry.get('reason', '')}"
    return f"{url}&about={int(entry['about'])}" if entry.get("about") else url


def _well_formed(entries) -> list[dict]:
    """The entries a page can use; a corrupt stored list is logged and read as empty."""
    if isinstance(entries, list) and all(isinstance(e, dict) and isinstance(e.get("product"), int)
                                         for e in entries):
        return entries
    logger.warning("A stored recommendation list is malformed; it is left out.")
    return []


def _suggestions(rail: str, entries: Sequence[dict]) -> list[Suggestion]:
    # Twice what a rail shows is enough to fill it after out-of-stock products are left out.
    return [Suggestion(product_id=e["product"], reason=reason_text(e), why_url=why_url(rail, e))
            for e in entries[:SUGGESTIONS_PER_RAIL]]


def _interleave(lists: Sequence[Sequence[dict]]) -> list[dict]:
    """First of each list, then second of each, ...: every source gets a say."""
    merged = []
    for position in range(max((len(entries) for entries in lists), default=0)):
        merged.extend(entries[position] for entries in lists if position < len(entries))
    return merged


class StoredRails:
    """The shop's rail source backed by `RecommendationList` rows of the active version."""

    # A person's page (home, account) reads one of a few fixed shapes of query (page, account or
    # visitor), each compiled once per process with a stand-in id that each read replaces with the
    # person's (primitives.compiled_queries): building and compiling the query took ten times as
    # long as running it. No account or visitor has these ids.
    _STAND_IN = Subject(user_id=-0x5E1F), Subject(visitor_id=uuid.UUID(int=0x5E1F))

    def rails(self, request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = ()) -> list[RailSpec]:
        subject, personal = self._who(request)
        if page in ("home", "account") and personal:
            return self._compose(page, self._person_rows(page, subject))
        terms = self._terms(page, subject, personal, product_id, basket_product_ids)
        if not terms:
            return []
        shared = self._shared_key(page, lambda: personal, product_id, basket_product_ids)
        if shared is not None:
            # Composed once per catalog version: the stored lists hold far more than a rail.
            return shared_read("stored-rail-specs", shared, lambda: self._compose(page, self._rows(terms)))
        return self._compose(page, self._rows(terms))

    def shared_rails_key(self, request: HttpRequest, *, page: str, product_id: int | None = None,
                         basket_product_ids: Sequence[int] = ()) -> tuple | None:
        return self._shared_key(page, lambda: self._who(request)[1], product_id, basket_product_ids)

    @staticmethod
    def _shared_key(page: str, personal: Callable[[], bool], product_id: int | None,
                    basket_product_ids: Sequence[int]) -> tuple | None:
        """Lists that hold nothing about the person (trending, also bought, similar) are the same
        for everyone who gets them, until a new serving version bumps the catalog version: the
        product and cart pages', and the home page's without consent to personalization."""
        if page in ("product", "cart") or (page == "home" and not personal()):
            return (page, product_id, tuple(sorted(basket_product_ids)))
        return None

    @staticmethod
    def _who(request: HttpRequest) -> tuple[Subject | None, bool]:
        """The request's subject, and whether it consents to personalization."""
        consent = getattr(request, "privacy_consent", None)
        subject = consent.subject if consent is not None else None
        return subject, subject is not None and has_consent(request, PERSONALIZATION)

    @classmethod
    def _terms(cls, page: str, subject, personal: bool, product_id: int | None,
               basket_product_ids: Sequence[int]) -> list[Q]:
        user_id = subject.user_id if personal else None
        terms: list[Q] = []
        if page == "home":
            terms.append(Q(rail=Rail.TRENDING, user__isnull=True, product__isnull=True))
            if user_id is not None:
                terms.append(Q(rail=Rail.FOR_YOU, user_id=user_id))
            if personal:
                terms.append(Q(rail__in=[Rail.ALSO_BOUGHT, Rail.SIMILAR],
                               product_id__in=cls._recently_viewed(subject)))
        elif page == "product" and product_id is not None:
            terms.append(Q(rail__in=[Rail.ALSO_BOUGHT, Rail.SIMILAR], product_id=product_id))
        elif page == "cart" and basket_product_ids:
            terms.append(Q(rail=Rail.ALSO_BOUGHT, product_id__in=list(basket_product_ids)))
        elif page == "account" and user_id is not None:
            terms.append(Q(rail=Rail.BUY_AGAIN, user_id=user_id))
        elif page == "order_placed" and personal and basket_product_ids:
            terms.append(Q(rail=Rail.ALSO_BOUGHT, product_id__in=list(basket_product_ids)))
        return terms

    @classmethod
    def _person_rows(cls, page: str, subject: Subject) -> list[tuple[str, int | None, list]]:
        """`_rows` of a person's page, from the SQL compiled once for the shape of `subject`."""
        stand_in = cls._STAND_IN[0 if subject.is_user else 1]
        rows = rows_for_id(("recommendations.person_rows", page, subject.is_user),
                           lambda: cls._rows_query(cls._terms(page, stand_in, True, None, ())),
                           stand_in=cls._id_value(stand_in), value=cls._id_value(subject))
        items = RecommendationList._meta.get_field("items")
        return cls._ordered([(rail, anchor, items.from_db_value(entries, None, connection))
                             for rail, anchor, entries in rows])

    @staticmethod
    def _id_value(subject: Subject):
        """The subject's id as the database is sent it (a visitor id: as its column stores it)."""
        if subject.is_user:
            return subject.user_id
        return BehaviourEvent._meta.get_field("visitor_id").get_db_prep_value(subject.visitor_id, connection)

    @staticmethod
    def _ordered(rows: list[tuple[str, int | None, list]]) -> list[tuple[str, int | None, list]]:
        return sorted(rows, key=lambda row: (row[0], row[1] is not None, row[1] or 0))

    @classmethod
    def _rows(cls, terms: list[Q]) -> list[tuple[str, int | None, list]]:
        return cls._ordered(list(cls._rows_query(terms)))

    @staticmethod
    def _rows_query(terms: list[Q]):
        # One query: a UNION ALL with one branch per term, each with the serving version as a
        # scalar subquery, so that each branch is answered by the list's own index (version, rail,
        # user or product). One WHERE with the terms OR-ed together was planned as a scan of the
        # whole version once a term held a subquery (the recently viewed products): 3 ms on the
        # full import's 11,576 lists, against 0.1-0.3 ms for the branches.
        serving = Subquery(ModelVersion.objects.filter(status=ModelVersionStatus.ACTIVE).values("pk")[:1])
        branches = [RecommendationList.objects.filter(term, version_id=serving).order_by()
                    .values_list("rail", "product_id", "items") for term in terms]
        return branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]

    @staticmethod
    def _recently_viewed(subject):
        return (BehaviourEvent.objects.of_subject(user_id=subject.user_id, visitor_id=subject.visitor_id)
                .filter(kind=EventKind.VIEWED).order_by("-occurred_at", "-id")
                .values("product_id")[:RECENT_VIEWS])

    @staticmethod
    def _compose(page: str, rows: list[tuple[str, int | None, list]]) -> list[RailSpec]:
        by_rail: dict[str, list[tuple[int | None, list]]] = {}
        for rail, anchor, entries in rows:
            by_rail.setdefault(rail, []).append((anchor, _well_formed(entries)))
        first = {rail: found[0][1] for rail, found in by_rail.items()}
        if page == "home":
            if first.get(Rail.FOR_YOU):
                return [RailSpec("for_you", "Recommended for you", _suggestions(Rail.FOR_YOU, first[Rail.FOR_YOU]),
                                 personal=True)]
            viewed = by_rail.get(Rail.ALSO_BOUGHT, []) + by_rail.get(Rail.SIMILAR, [])
            if viewed:
                anchors = {anchor for anchor, _ in viewed}
                entries = _interleave([
                    [{**e, "reason": "because_you_viewed"} for e in entries if e["product"] not in anchors]
                    for _, entries in viewed
                ])
                titles = sorted({e.get("about_title", "") for e in entries} - {""})
                title = f"Because you viewed {titles[0]}" if len(titles) == 1 else "Because you viewed these"
                return [RailSpec("because_you_viewed", title, _suggestions("because_you_viewed", entries),
                                 personal=True)]
            everyones = first.get(Rail.TRENDING)
            if everyones:
                # Without a sale in the recent window the list holds all-time best-sellers: "Popular".
                if everyones[0].get("reason") == "popular":
                    return [RailSpec("popular", "Popular", _suggestions(Rail.TRENDING, everyones))]
                return [RailSpec("trending", "Trending now", _suggestions(Rail.TRENDING, everyones))]
            return []
        if page == "product":
            specs = []
            if first.get(Rail.ALSO_BOUGHT):
                specs.append(RailSpec("also_bought", "Customers also bought",
                                      _suggestions(Rail.ALSO_BOUGHT, first[Rail.ALSO_BOUGHT])))
            if first.get(Rail.SIMILAR):
                specs.append(RailSpec("similar", "Similar products", _suggestions(Rail.SIMILAR, first[Rail.SIMILAR])))
            return specs
        if page in ("cart", "order_placed"):
            entries = _interleave([entries for _, entries in by_rail.get(Rail.ALSO_BOUGHT, [])])
            title = "Complete your order" if page == "cart" else "You may also like"
            return [RailSpec("complete_your_order" if page == "cart" else "after_order", title,
                             _suggestions(Rail.ALSO_BOUGHT, entries), personal=page == "order_placed")]
        if page == "account" and first.get(Rail.BUY_AGAIN):
            return [RailSpec("buy_again", "Buy again", _suggestions(Rail.BUY_AGAIN, first[Rail.BUY_AGAIN]),
                             personal=True)]
        return []
