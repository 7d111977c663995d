from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Inspections, evaluations and checks the unit had to prepare for."""

    name = "inspections"
    verbose_name = _("Inspections")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core reads its kinds from the registry; this app's kind is known once it is here.
        from burden.records.registry import Kind, register

        from .models import Inspection

        register(
            Kind(
                model=Inspection,
                pages="inspections.views.config",
                urls="inspections.urls",
                api_routes="inspections.api.ROUTES",
                demo="inspections.demo.demo_records",
            )
        )
