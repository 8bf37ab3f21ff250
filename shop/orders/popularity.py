"""Product popularity: how many distinct customers bought each product lately.

Counted from the order lines and stored on the product (`Product.popularity`), so catalog
pages sort by it without reading orders.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from shop.catalog.fragments import catalog_changed
from shop.catalog.models import Product

from .models import OrderLine

POPULARITY_WINDOW = timedelta(days=90)


@transaction.atomic
def product_popularity_refresh() -> int:
    """Set each product's popularity to its distinct buyers in the 90 days before the latest order.

    The window ends at the newest order rather than now, so an imported history
    still has a meaningful ranking. Returns the number of products updated.
    """
    catalog_changed()  # "popular" grids reorder
    latest = OrderLine.objects.aggregate(latest=Max("order__placed_at"))["latest"]
    if latest is None:
        return Product.objects.update(popularity=0)
    buyers = (
        OrderLine.objects.filter(variant__product=OuterRef("pk"), order__placed_at__gte=latest - POPULARITY_WINDOW,
                                 order__user__isnull=False)
        .values("variant__product")
        .annotate(buyers=Count("order__user", distinct=True))
        .values("buyers")
    )
    return Product.objects.update(popularity=Coalesce(Subquery(buyers), Value(0)))
