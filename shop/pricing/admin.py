"""The merchant's pricing screens: demand rules with a preview of their effect on the whole catalog,
every price change (read-only, filterable), the log of recomputes, and the product screen where
list prices are set (product_admin.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from primitives.money import format_money
from shop.read_only_admin import CappedCountAdmin, ReadOnlyAdmin

from . import product_admin  # noqa: F401  (registers the product screen, shop/pricing/product_admin.py)
from .forms import DemandRuleForm
from .models import DemandRule, PriceChange, PricingRun
from .selectors import recompute_running
from .services import demand_rule_preview
from .tasks import recompute_demand_prices


@admin.register(DemandRule)
class DemandRuleAdmin(admin.ModelAdmin):
    form = DemandRuleForm
    list_display = ["name", "enabled", "scope", "max_increase_percent", "max_decrease_percent",
                    "velocity_window_days", "scarce_cover_days", "ample_cover_days", "updated_at", "preview_link"]
    list_filter = ["enabled", "category"]
    list_select_related = ["category"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "category"]}),
        ("How far prices may move", {
            "fields": ["max_increase_percent", "max_decrease_percent"],
            "description": "Percent of each variant's list price, at most "
                           f"{settings.PRICING_MAX_ADJUSTMENT_PERCENT:g}%. The product's floor and ceiling and the "
                           f"daily limit ({settings.PRICING_MAX_DAILY_CHANGE * 100:g}% a day) still apply.",
        }),
        ("Demand", {
            "fields": ["velocity_window_days", "scarce_cover_days", "ample_cover_days"],
            "description": "Cover is the days until a variant sells out at its pace of sales over the window. "
                           "Below scarce cover the price rises (fully at no stock left); above ample cover it "
                           "falls (fully at twice ample cover, or when nothing sold). In between: the list price.",
        }),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Scope", ordering="category__name")
    def scope(self, rule: DemandRule) -> str:
        return rule.category.name if rule.category_id else "Whole catalog"

    @admin.display(description="Preview")
    def preview_link(self, rule: DemandRule) -> str:
        return format_html('<a href="{}">Preview</a>', reverse("admin:pricing_demandrule_preview", args=[rule.pk]))

    def get_urls(self):
        return [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="pricing_demandrule_preview_new"),
            path("<int:object_id>/preview/", self.admin_site.admin_view(self.preview_view),
                 name="pricing_demandrule_preview"),
            path("recompute/", self.admin_site.admin_view(self.recompute_view), name="pricing_demandrule_recompute"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "last_run": PricingRun.objects.filter(dry_run=False).exclude(status="running").first(),
                         "running": recompute_running(), "may_recompute": self._may_recompute(request)}
        return super().changelist_view(request, extra_context)

    def _may_recompute(self, request) -> bool:
        return self.has_change_permission(request)

    def recompute_view(self, request):
        """Recompute now (POST): in this process on the embedded default, else queued for a worker."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:pricing_demandrule_changelist"))
        if not self._may_recompute(request):
            raise PermissionDenied
        if recompute_demand_prices.app.conf.task_always_eager:  # no worker: run it here (under a second)
            outcome = recompute_demand_prices.apply().get()
            level = messages.WARNING if outcome.startswith("skipped") else messages.SUCCESS
            self.message_user(request, f"Prices recomputed: {outcome}." if level == messages.SUCCESS
                              else "Prices are being recomputed already; try again in a minute.", level)
        else:
            recompute_demand_prices.delay()
            self.message_user(request, "Recompute queued: prices change within a minute.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:pricing_demandrule_changelist"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "preview_url": (
            reverse("admin:pricing_demandrule_preview", args=[object_id]) if object_id
            else reverse("admin:pricing_demandrule_preview_new"))}
        return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _save_url(object_id) -> str:
        return (reverse("admin:pricing_demandrule_change", args=[object_id]) if object_id
                else reverse("admin:pricing_demandrule_add"))

    def preview_view(self, request, object_id=None):
        """The rule's effect on the whole catalog, were it enabled: GET for the saved rule, POST for
        the form as edited (nothing is saved; a form with errors goes back with them)."""
        rule = get_object_or_404(DemandRule, pk=object_id) if object_id else None
        if not (self.has_view_permission(request, rule) if rule else self.has_add_permission(request)):
            raise PermissionDenied
        posted = None
        if request.method == "POST":
            form = self.get_form(request, rule)(request.POST, instance=rule or DemandRule())
            if not form.is_valid():  # the rule's own page, with the errors and the edits kept
                return self.changeform_view(request, str(object_id) if object_id else None,
                                            form_url=self._save_url(object_id))
            rule = form.save(commit=False)
            posted = [(name, value) for name in request.POST for value in request.POST.getlist(name)
                      if name not in ("csrfmiddlewaretoken", "_preview", "_save", "_continue", "_addanother")]
        preview = demand_rule_preview(rule=rule)
        save_url = self._save_url(object_id)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": f"Preview: {rule.name}",
            "rule": rule, "preview": preview, "posted": posted, "save_url": save_url,
            "may_save": self.has_change_permission(request, rule) if object_id else self.has_add_permission(request),
            "daily_percent": settings.PRICING_MAX_DAILY_CHANGE * 100,
        }
        return TemplateResponse(request, "admin/pricing/demandrule/preview.html", context)


@admin.register(PriceChange)
class PriceChangeAdmin(CappedCountAdmin, ReadOnlyAdmin):
    """Every price change, read-only: what moved, by which rule, and why."""

    list_display = ["changed_at", "product", "sku", "old_price_display", "new_price_display", "change",
                    "reduced_from_display", "rule", "source", "explanation"]
    list_filter = ["source", "rule", "changed_at"]
    list_select_related = ["variant", "product"]
    search_fields = ["product__title", "variant__sku"]
    date_hierarchy = "changed_at"
    list_per_page = 100
    fields = ["changed_at", "product", "variant", "old_price", "new_price", "reduced_from", "rule", "source",
              "explanation", "inputs", "run"]
    readonly_fields = fields

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, change: PriceChange) -> str:
        return change.variant.sku

    @admin.display(description="From", ordering="old_price")
    def old_price_display(self, change: PriceChange) -> str:
        return format_money(change.old_price)

    @admin.display(description="To", ordering="new_price")
    def new_price_display(self, change: PriceChange) -> str:
        return format_money(change.new_price)

    @admin.display(description="Change")
    def change(self, change: PriceChange) -> str:
        percent = change.change_percent
        return "—" if percent is None else f"{percent:+}%"

    @admin.display(description="Was (30-day lowest)")
    def reduced_from_display(self, change: PriceChange) -> str:
        return format_money(change.reduced_from) if change.reduced_from is not None else "—"


@admin.register(PricingRun)
class PricingRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "status", "dry_run", "trigger", "variants_seen", "prices_raised", "prices_lowered",
                    "clamped", "duration_seconds"]
    list_filter = ["status", "dry_run"]
    readonly_fields = [field.name for field in PricingRun._meta.fields]
