from django.http import HttpRequest

from . import notice


def consent(request: HttpRequest) -> dict[str, object]:
    """What the consent banner and the footer need on every page (no query until the banner is drawn)."""
    return {
        "privacy_consent": getattr(request, "privacy_consent", None),
        "privacy_banner": {"heading": notice.BANNER_HEADING, "text": notice.BANNER_TEXT, "gpc": notice.GPC_TEXT},
    }
