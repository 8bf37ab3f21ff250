from django.apps import AppConfig


class PersonalizationConfig(AppConfig):
    name = "personalization"
    verbose_name = "Personalization"

    def ready(self) -> None:
        from shop import recommendations

        from . import receivers
        from .serving import StoredRails

        receivers.connect()
        recommendations.rail_source_register(StoredRails())
