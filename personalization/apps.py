from django.apps import AppConfig


class PersonalizationConfig(AppConfig):
    """The label "personalization", with no models, holding only its migration history.

    Those migrations build the tables that personalization.recommendations, personalization.marketing
    and personalization.segments own, and hand them over to those apps.
    """

    name = "personalization"
    label = "personalization"
    verbose_name = "Personalization (migration history)"
