from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkAppsConfig(AppConfig):
    """Apps, mini-programs, public accounts and work groups a unit must use, and what they demand."""

    name = "workapps"
    verbose_name = _("Work apps and groups")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core reads its kinds from the registry; this app's kind is known once it is here.
        from burden.records.registry import Kind, register

        from .models import WorkApp

        register(
            Kind(
                model=WorkApp,
                pages="workapps.views.config",
                urls="workapps.urls",
                url_prefix="work-apps",
                api_routes="workapps.api.ROUTES",
                demo="workapps.demo.demo_records",
            )
        )
