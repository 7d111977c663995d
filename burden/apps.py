from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BurdenConfig(AppConfig):
    """The core app: units, memberships, scoping and (later) rules and review."""

    name = "burden"
    verbose_name = _("Burden tracker")
    default_auto_field = "django.db.models.BigAutoField"


class BurdenAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the scoped site of ``burden.sites``."""

    default = False
    default_site = "burden.sites.BurdenAdminSite"
