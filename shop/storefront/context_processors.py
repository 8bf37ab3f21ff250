from django.conf import settings
from django.http import HttpRequest

from shop.catalog.models import Category


def storefront(request: HttpRequest) -> dict[str, object]:
    """What every page's header and footer need: the shop's name and its categories (lazily, one query)."""
    return {
        "shop_name": settings.SHOP_NAME,
        "nav_categories": Category.objects.filter(parent__isnull=True).only("name", "slug"),
    }
