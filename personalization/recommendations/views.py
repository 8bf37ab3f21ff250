"""The "Why am I seeing this?" page: which data a recommendation rests on, and how to turn it off."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from privacy.consent import has_consent
from privacy.disclosure import released_count
from privacy.purposes import PERSONALIZATION
from shop.catalog.models import Product

from .models import EventKind
from .selectors import events_about_product, model_version_serving, purchase_history_summary
from .serving import reason_text
from .version_figures import version_figures

# Rails whose reasons rest on the person's own data.
PERSONAL_RAILS = {"for_you", "because_you_viewed", "buy_again"}
KNOWN_RAILS = PERSONAL_RAILS | {"trending", "also_bought", "similar"}
KNOWN_REASONS = {"because_you_bought", "because_you_viewed", "bought_with", "similar_to", "bought_before",
                 "new_in", "trending", "popular", ""}


def _int_param(request: HttpRequest, name: str, *, required: bool) -> int | None:
    raw = request.GET.get(name, "")
    if not raw and not required:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404(f"No such {name}.")
    return int(raw)


@never_cache
@require_GET
def why_recommended(request: HttpRequest) -> HttpResponse:
    rail, reason = request.GET.get("rail", ""), request.GET.get("reason", "")
    if rail not in KNOWN_RAILS or reason not in KNOWN_REASONS:
        raise Http404("No such recommendation.")
    product_id = _int_param(request, "product", required=True)
    about_id = _int_param(request, "about", required=False)
    titles = dict(Product.objects.published().filter(pk__in={product_id, about_id} - {None})
                  .values_list("pk", "title"))
    if product_id not in titles:
        raise Http404("No such product.")
    consented = has_consent(request, PERSONALIZATION)
    subject = request.privacy_consent.subject if consented else None
    used: list = []
    history = None
    if subject is not None and rail in PERSONAL_RAILS:
        if reason == "because_you_bought" and about_id:
            used = events_about_product(subject=subject, product_id=about_id, kind=EventKind.PURCHASED)
        elif reason == "because_you_viewed" and about_id:
            used = events_about_product(subject=subject, product_id=about_id, kind=EventKind.VIEWED)
        elif reason == "bought_before":
            used = events_about_product(subject=subject, product_id=product_id, kind=EventKind.PURCHASED)
        history = purchase_history_summary(subject=subject)
    version = model_version_serving()
    # How many people the model learnt from, as released with noise once per version (never the
    # exact count the training stored), rounded, and left out below the minimum support.
    people = (released_count(version_figures(version).get("subjects"), minimum=settings.PERSONALIZATION_MIN_SUPPORT)
              if version is not None else None)
    entry = {"product": product_id, "reason": reason, "about": about_id, "about_title": titles.get(about_id, "")}
    return render(request, "recommendations/why.html", {
        "product_title": titles[product_id],
        "about_title": titles.get(about_id),
        "rail": rail,
        "reason": reason,
        "reason_text": reason_text(entry),
        "personal_rail": rail in PERSONAL_RAILS,
        "consented": consented,
        "used": used,
        "history": history,
        "version": version,
        "people": people,
        "min_support": settings.PERSONALIZATION_MIN_SUPPORT,  # what training applies, so the page says it
    })
