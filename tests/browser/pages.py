"""Steps that several browser journeys take on the shop's pages."""


def dismiss_consent_banner(page) -> None:
    """Refuse everything on the consent banner when it is showing (the journey is not about consent)."""
    banner = page.locator(".consent-banner")
    if banner.count() and banner.is_visible():
        banner.get_by_role("button", name="Reject all").click()
