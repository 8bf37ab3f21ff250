from django.apps import AppConfig


class MarketingConfig(AppConfig):
    """The newsletter: double opt-in subscriptions, the weekly digest and cart reminders."""

    name = "personalization.marketing"
    label = "marketing"
    verbose_name = "Newsletter and marketing e-mails"

    def ready(self) -> None:
        # Registrations into privacy's signals need every app loaded.
        from . import receivers

        receivers.connect()
