from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks
from django.utils.translation import gettext_lazy as _


class BurdenConfig(AppConfig):
    """The core app: units, memberships, scoping and (later) rules and review."""

    name = "burden"
    verbose_name = _("Burden tracker")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connects the signals that start a session's clock at sign-in and end a person's
        # API tokens when their password changes or they are deactivated.
        from . import sessions, tokens  # noqa: F401
        from .review.cases import cases_gather_after_evaluation
        from .rules import catalogue
        from .rules.engine import evaluated

        # Every model is loaded by now, so the rule modules (which read the record
        # models) can be: each registers its rules, and reading them is open from here on.
        catalogue.load()

        evaluated.connect(cases_gather_after_evaluation, dispatch_uid="cases_gather")

        # The kinds are registered by the record apps' ready(), after this one: the checks
        # read the registry later, when Django runs them.
        from .records.checks import record_models_check, rule_kinds_check

        checks.register(rule_kinds_check)
        checks.register(record_models_check)


class BurdenAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the scoped site of ``burden.sites``."""

    default = False
    default_site = "burden.sites.BurdenAdminSite"
