from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    """The recommenders: consented behaviour in, trained rails out, with a reason for each product."""

    name = "personalization.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        # Registrations into the shop's and privacy's seams need every app loaded.
        from shop import recommendations
        from shop.accounts.roles import second_factor_permissions_register

        from . import receivers
        from .serving import StoredRails

        receivers.connect()
        recommendations.rail_source_register(StoredRails())
        # A customer's stored lists say what they bought and viewed.
        second_factor_permissions_register(permissions=["recommendations.view_recommendationlist"])
