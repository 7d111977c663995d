from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecondmentsConfig(AppConfig):
    """Staff lent out to task forces and upper units, with their terms and extensions."""

    name = "secondments"
    verbose_name = _("Secondments")
    default_auto_field = "django.db.models.BigAutoField"
