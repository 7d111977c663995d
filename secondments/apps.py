from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecondmentsConfig(AppConfig):
    """Staff lent out to task forces and upper units, with their terms and extensions."""

    name = "secondments"
    verbose_name = _("Secondments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core reads its kinds from the registry; this app's kind is known once it is here.
        from burden.records.registry import Kind, register

        from .models import Secondment

        register(
            Kind(
                model=Secondment,
                pages="secondments.views.config",
                urls="secondments.urls",
                api_routes="secondments.api.ROUTES",
                demo="secondments.demo.demo_records",
            )
        )
