"""The shop's admin toolkit: an admin for records that are evidence or history (payments, consent,
price changes, audit entries), listed and read in the admin, never added, changed or deleted
there; and lists whose count stays bounded however long the table grows."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AtLeast(int):
    """A count that stopped at a cap: it reads "10000+" where it is shown."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedCountPaginator(Paginator):
    """Counts at most `COUNT_CAP` rows (one query whose cost stops growing there), for admin lists
    of tables that only grow (orders, price changes, customers, products). A list longer than
    that pages through its first `COUNT_CAP` rows and gives its total as "10000+"; filters, the
    date hierarchy and search reach the rest."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "values"):  # a queryset: count a bounded slice of it
            counted = rows.order_by().values("pk")[:self.COUNT_CAP].count()
        else:
            counted = min(len(rows), self.COUNT_CAP)
        return AtLeast(counted) if counted >= self.COUNT_CAP else counted

    @property
    def capped(self) -> bool:
        return self.count >= self.COUNT_CAP


class CappedCountAdmin(admin.ModelAdmin):
    """A list whose count is capped (CappedCountPaginator) and counted once: the unfiltered total
    is not counted again beside the filtered one."""

    paginator = CappedCountPaginator
    show_full_result_count = False
