from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Meetings the unit was called to: duration, people sent, mode and category."""

    name = "meetings"
    verbose_name = _("Meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core reads its kinds from the registry; this app's kind is known once it is here.
        from burden.records.registry import Kind, register

        from .models import Meeting

        register(
            Kind(
                model=Meeting,
                pages="meetings.views.config",
                urls="meetings.urls",
                api_routes="meetings.api.ROUTES",
                demo="meetings.demo.demo_records",
            )
        )
