"""Row locks on stock: the one place that knows how the database locks rows."""

from collections.abc import Iterable

from .models import ProductVariant


def variants_locked_for_update(variant_ids: Iterable[int]) -> list[ProductVariant]:
    """Lock the variants' rows until the surrounding transaction ends, in primary-key order.

    Always locking in the same order means two checkouts that share products
    wait for each other instead of deadlocking. Must run inside
    `transaction.atomic()`. On SQLite, which locks the whole database for a
    write, this is a plain read.
    """
    return list(ProductVariant.objects.select_for_update().filter(pk__in=set(variant_ids)).order_by("pk"))
