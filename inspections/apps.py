from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Inspections, evaluations and checks the unit had to prepare for."""

    name = "inspections"
    verbose_name = _("Inspections")
    default_auto_field = "django.db.models.BigAutoField"
