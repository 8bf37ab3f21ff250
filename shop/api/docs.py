"""The interactive API documentation: Swagger UI served from our static files (no other host)."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET


@require_GET
@ensure_csrf_cookie
def api_docs(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api-schema"), "shop_name": settings.SHOP_NAME})
