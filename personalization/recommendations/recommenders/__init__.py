"""Recommendation models as a plain Python library: no Django, no database.

Every model is fitted with ``fit(interactions, items)`` where ``interactions``
is an ``Interactions`` container (user_id, item_id, timestamp, quantity,
basket_id) and ``items`` a frame of item_id, title, category. The shop's
recommendations app feeds it from its event tables; the evaluation command
feeds it from the Online Retail CSV format. Each recommendation carries a
reason code so the shop can explain it.
"""

from .buy_again import BuyAgainRecommender
from .content import ContentRecommender
from .cooccurrence import AlsoBoughtRecommender
from .errors import RecommenderDataError
from .interactions import Interactions
from .personal import EASE_MAX_ITEMS, PersonalRecommender
from .ranking import Recommendation
from .trending import TrendingRecommender

__all__ = [
    "EASE_MAX_ITEMS",
    "AlsoBoughtRecommender",
    "BuyAgainRecommender",
    "ContentRecommender",
    "Interactions",
    "PersonalRecommender",
    "Recommendation",
    "RecommenderDataError",
    "TrendingRecommender",
]
