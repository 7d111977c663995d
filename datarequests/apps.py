from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRequestsConfig(AppConfig):
    """Data and report requests: items asked, frequency, channel and deadline."""

    name = "datarequests"
    verbose_name = _("Data requests")
    default_auto_field = "django.db.models.BigAutoField"
