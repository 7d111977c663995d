from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Meetings the unit was called to: duration, people sent, mode and category."""

    name = "meetings"
    verbose_name = _("Meetings")
    default_auto_field = "django.db.models.BigAutoField"
