"""The merchant's view of the recommenders: versions and their metrics, training on demand, previews."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods, require_POST

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.read_only_admin import ReadOnlyAdmin

from .charts import METRICS, metric_charts, single_version_summary
from .models import (
    BehaviourEvent,
    ModelVersion,
    ModelVersionStatus,
    PreviewAuditEntry,
    Rail,
    RecommendationList,
)
from .previews import customer_preview, product_preview
from .serving import reason_text
from .tasks import train_recommenders
from .version_figures import PERSON_COUNTS, version_figures, with_released_figures


@admin.register(BehaviourEvent)
class BehaviourEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by the shop's consented activity, never by hand."""

    list_display = ["occurred_at", "kind", "product", "user", "visitor_id"]
    list_filter = ["kind"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["product", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProductAutocomplete(AutocompleteSelect):
    """The admin's autocomplete; a typed value that is no product id is left unselected, not looked up."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


class ProductByTitleField(forms.ModelChoiceField):
    """A product picked by title or SKU with the admin's autocomplete; cleans to the product's id."""

    def to_python(self, value):
        product = super().to_python(value)
        return product.pk if product is not None else None


class PreviewForm(forms.Form):
    # The admin's own autocomplete (select2), searching the product admin's search_fields.
    product = ProductByTitleField(
        queryset=Product.objects.all(), required=False, label="Product",
        help_text="Type part of the product's title or SKU.",
        error_messages={"invalid_choice": "No such product: type part of its title and pick it from the list."},
        widget=ProductAutocomplete(BehaviourEvent._meta.get_field("product"), admin.site,
                                  attrs={"data-placeholder": "Search products"}))
    customer = forms.EmailField(required=False, label="Customer's e-mail address")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("product") and not cleaned.get("customer"):
            raise forms.ValidationError("Choose a product or enter a customer's e-mail address.")
        return cleaned


# A version's JSON columns are shown readably; their raw form only behind a "details" toggle.
RAW_FIELDS = ("parameters", "counts", "metrics")
VERSION_NOISE_NOTE = ("Counts of people (about) are released once per version with noise added (differential "
                      "privacy), so that no one customer can be read from them; products and lists are exact.")


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    """Every training with its data window, counts and held-out metrics; the serving one on top."""

    # Few, narrow columns: the table fits beside the status filter without being cut off.
    list_display = ["__str__", "status", "trained_until", "data_shown", "for_you_ndcg", "for_you_coverage",
                    "lists_kept", "progress_shown"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in ModelVersion._meta.fields if field.name not in RAW_FIELDS] + [
        "counts_shown", "metrics_shown", "raw_record"]
    fieldsets = [
        (None, {"fields": ["status", "task_id", "started_at", "finished_at", "activated_at", "trained_until",
                           "data_from", "duration_seconds", "progress", "stage", "error"]}),
        ("What it learnt from and how it scored", {"fields": ["counts_shown", "metrics_shown"]}),
        ("Details", {"fields": ["raw_record"]}),
    ]
    change_list_template = "admin/recommendations/modelversion/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request: HttpRequest):
        # Each row's released counts of people come with it: no query per version listed.
        return with_released_figures(super().get_queryset(request).annotate(
            has_lists=Exists(RecommendationList.objects.filter(version=OuterRef("pk")))))

    @admin.display(description="lists")
    def lists_kept(self, version: ModelVersion) -> str:
        # Versions older than a retraining after a withdrawal or an erasure lose their lists: no roll-back
        # to them is possible, and only their metrics remain.
        if version.status in (ModelVersionStatus.TRAINING, ModelVersionStatus.FAILED):
            return "—"
        built = version.counts.get("lists", 0)
        if getattr(version, "has_lists", True) or not built:
            return f"{built:,}"
        return "deleted: trained before someone's data left"

    @admin.display(description="took")
    def duration(self, version: ModelVersion) -> str:
        return f"{version.duration_seconds:.1f} s" if version.duration_seconds is not None else "—"

    @admin.display(description="learnt from (about)")
    def data_shown(self, version: ModelVersion) -> str:
        if version.status in (ModelVersionStatus.TRAINING, ModelVersionStatus.FAILED) or not version.counts:
            return "—"
        released = version_figures(version)
        return f"{released.get('customers', 0):,} customers, {released.get('events', 0):,} events"

    @admin.display(description="for you NDCG @8 / @10")
    def for_you_ndcg(self, version: ModelVersion) -> str:
        return f"{_metric(version, 'for_you', 'ndcg@8')} / {_metric(version, 'for_you', 'ndcg@10')}"

    @admin.display(description="coverage @8 / @10")
    def for_you_coverage(self, version: ModelVersion) -> str:
        return f"{_metric(version, 'for_you', 'coverage@8')} / {_metric(version, 'for_you', 'coverage@10')}"

    @admin.display(description="counts")
    def counts_shown(self, version: ModelVersion) -> str:
        if not version.counts:
            return "—"
        released = version_figures(version)
        rows = [(f"{name} (about)", f"{released.get(name, 0):,}") if name in PERSON_COUNTS else (name, f"{value:,}")
                for name, value in version.counts.items()]
        return format_html("<dl class=\"version-figures\">{}</dl><p class=\"help\">{}</p>", format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", rows), VERSION_NOISE_NOTE)

    @admin.display(description="held-out metrics")
    def metrics_shown(self, version: ModelVersion) -> str:
        if not version.metrics:
            return "—"
        if "skipped" in version.metrics:
            return f"Not measured: {version.metrics['skipped']}."
        models = [model for model in ("for_you", "trending") if isinstance(version.metrics.get(model), dict)]
        rows = [(f"{title} @{k}", *(_metric(version, model, f"{key}@{k}") for model in models))
                for key, title, _ in METRICS for k in (8, 10)]
        head = format_html_join("", "<th scope=\"col\">{}</th>", ((m.replace("_", " "),) for m in models))
        body = format_html_join("", "<tr><th scope=\"row\">{}</th>" + "<td>{}</td>" * len(models) + "</tr>", rows)
        customers = version_figures(version).get("evaluation_customers") if version.metrics.get("customers") else None
        return format_html(
            "<p>On the latest {} days, about {} customers who bought something new.</p>"
            "<table class=\"dash-table version-metrics\"><thead><tr><th scope=\"col\">metric</th>{}</tr></thead>"
            "<tbody>{}</tbody></table>",
            version.metrics.get("holdout_days", "—"), customers if customers is not None else "—", head, body)

    @admin.display(description="raw record")
    def raw_record(self, version: ModelVersion) -> str:
        # The counts of people as released, never as the training stored them.
        released = version_figures(version)
        counts = {name: released.get(name, 0) if name in PERSON_COUNTS else value
                  for name, value in (version.counts or {}).items()}
        metrics = dict(version.metrics or {})
        if "customers" in metrics:
            metrics["customers"] = released.get("evaluation_customers", 0)
        raw = json.dumps({"parameters": version.parameters, "counts": counts, "metrics": metrics}, indent=2,
                         sort_keys=True)
        return format_html("<details class=\"raw-record\"><summary>Details: parameters, counts and metrics as "
                           "stored, counts of people as released (JSON)</summary><pre tabindex=\"0\">{}</pre></details>", raw)

    @admin.display(description="progress")
    def progress_shown(self, version: ModelVersion) -> str:
        if version.status == ModelVersionStatus.TRAINING:
            return f"{version.progress}% — {version.stage}"
        return version.error[:80] if version.status == ModelVersionStatus.FAILED else "done"

    def get_urls(self):
        return [
            path("train/", self.admin_site.admin_view(require_POST(self.train_now)),
                 name="recommendations_modelversion_train"),
            path("preview/", self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.preview)), name="recommendations_modelversion_preview"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        finished = list(ModelVersion.objects.exclude(status__in=[ModelVersionStatus.TRAINING,
                                                                  ModelVersionStatus.FAILED])
                        .order_by("-started_at")[:20])
        extra_context = {
            **(extra_context or {}),
            "metric_charts": metric_charts(list(reversed(finished))),
            "single_version_summary": single_version_summary(finished),
            "training": ModelVersion.objects.filter(status=ModelVersionStatus.TRAINING).first(),
            "may_train": self._may_train(request),
        }
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _may_train(request: HttpRequest) -> bool:
        return request.user.has_perm("recommendations.change_modelversion") or request.user.is_superuser

    def train_now(self, request: HttpRequest) -> HttpResponse:
        if not self._may_train(request):
            raise PermissionDenied
        if settings.CELERY_TASK_ALWAYS_EAGER:
            version_id = train_recommenders.apply().get()
            if version_id is None:
                messages.warning(request, "Another training is running: wait for it to finish.")
            else:
                messages.success(request, f"Model version {version_id} trained and serving.")
        else:
            train_recommenders.delay()
            messages.success(request, "Training queued: its progress shows below.")
        return HttpResponseRedirect(reverse("admin:recommendations_modelversion_changelist"))

    def preview(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("recommendations.view_modelversion"):
            raise PermissionDenied
        form = PreviewForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "title": "Preview recommendations", "form": form,
                   "opts": self.model._meta}
        status = 200
        if form.is_bound and form.is_valid():
            if form.cleaned_data["product"]:
                product = Product.objects.filter(pk=form.cleaned_data["product"]).first()
                if product is None:
                    form.add_error("product", "No product has that id.")
                else:
                    context["product"] = product
                    context["product_rails"] = _readable(product_preview(product_id=product.pk))
            if form.cleaned_data["customer"]:
                if not request.user.has_perm("recommendations.view_recommendationlist"):
                    raise PermissionDenied
                customer = User.objects.filter(email__iexact=form.cleaned_data["customer"]).first()
                preview = customer_preview(customer=customer, staff=request.user) if customer else None
                if preview is None:
                    form.add_error("customer", "No customer with that address has consented to "
                                               "personalised recommendations.")
                else:
                    context["customer_pseudonym"] = preview.pseudonym
                    context["customer_rails"] = _readable(preview.rails)
        if form.errors:
            status = 400
        return TemplateResponse(request, "admin/recommendations/preview.html", context, status=status)


@admin.register(PreviewAuditEntry)
class PreviewAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "staff", "customer_pseudonym", "version"]
    readonly_fields = ["viewed_at", "staff", "customer_pseudonym", "version"]


def _metric(version: ModelVersion, model: str, key: str = "ndcg@10") -> str:
    figures = version.metrics.get(model)
    value = figures.get(key) if isinstance(figures, dict) else None
    return f"{value:.4f}" if value is not None else "—"


def _readable(rails: dict[str, list[dict]]) -> list[tuple[str, list[tuple[str, str]]]]:
    titles = dict(Product.objects.filter(pk__in={e["product"] for entries in rails.values() for e in entries})
                  .values_list("pk", "title"))
    return [(Rail(rail).label, [(titles.get(e["product"], f"product {e['product']}"), reason_text(e))
                                for e in entries]) for rail, entries in rails.items()]
