from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRequestsConfig(AppConfig):
    """Data and report requests: items asked, frequency, channel and deadline."""

    name = "datarequests"
    verbose_name = _("Data requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core reads its kinds from the registry; this app's kind is known once it is here.
        from burden.records.registry import Kind, register

        from .models import DataRequest

        register(
            Kind(
                model=DataRequest,
                pages="datarequests.views.config",
                urls="datarequests.urls",
                url_prefix="data-requests",
                api_routes="datarequests.api.ROUTES",
                demo="datarequests.demo.demo_records",
            )
        )
