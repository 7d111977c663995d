"""System checks that the registry of kinds agrees with the rules and the models.

Run by ``manage.py check``, ``runserver`` and ``migrate`` (registered in
``BurdenConfig.ready``), so a rule naming a kind no app registered, or a record model
its app forgot to register, stops start-up with a clear message instead of being
skipped without a word by every loop over the kinds.
"""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from .registry import kinds


def rule_kinds_check(app_configs=None, rules=None, **kwargs) -> list[checks.CheckMessage]:
    """Every rule's ``record_kind`` is a registered kind (``rules``: the catalogue by default)."""
    from ..rules.base import ANY_KIND

    if rules is None:
        from ..rules.base import all_rules

        rules = all_rules()
    known = {kind.code for kind in kinds()}
    return [
        checks.Error(
            f"The rule {rule.code} reads the kind {rule.record_kind!r}, which no record app registers.",
            hint=f"Register the kind from its app's ready() (registered: {', '.join(sorted(known)) or 'none'}).",
            obj=type(rule),
            id="burden.E001",
        )
        for rule in rules
        if rule.record_kind != ANY_KIND and rule.record_kind not in known
    ]


def record_models_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every concrete record model is registered as its kind, so no loop over the kinds misses it."""
    from .base import BaseRecord

    registered = {kind.model for kind in kinds()}
    return [
        checks.Error(
            f"{model._meta.label} is a record model, but its app registers no kind for it.",
            hint="Call burden.records.registry.register(Kind(model=...)) from the app's AppConfig.ready().",
            obj=model,
            id="burden.E002",
        )
        for model in apps.get_models()
        if issubclass(model, BaseRecord) and model not in registered
    ]
