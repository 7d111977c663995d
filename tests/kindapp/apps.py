from django.apps import AppConfig


class KindappConfig(AppConfig):
    name = "tests.kindapp"
    label = "kindapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from burden.records.registry import Kind, register

        from .models import Lunch

        register(
            Kind(
                model=Lunch,
                pages="tests.kindapp.views.config",
                urls="tests.kindapp.urls",
                url_prefix="lunches",
                api_routes="tests.kindapp.api.ROUTES",
            )
        )
