"""Finds the rule modules, so that each rule registers itself.

The rules of every kind live in ``common``; a record app's own rules live in the module
of this package named after the app (``burden.rules.meetings`` for ``meetings``). This
module names no app: ``load()`` imports ``burden.rules.<label>`` for every installed app
that has record models and such a module. It runs once, from ``BurdenConfig.ready()``,
when every model is loaded; ``burden.rules.base.all_rules()`` refuses to answer before.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from . import base, common  # noqa: F401  (common's rules register on import)

#: This package's own modules, which are never the rules of an app of the same label.
MACHINERY = frozenset({"base", "catalogue", "common", "engine", "models", "sync"})


def rule_module_names() -> list[str]:
    """The dotted names of the record apps' rule modules that exist, in the order of ``INSTALLED_APPS``."""
    from ..records.base import BaseRecord

    names = []
    for app_config in apps.get_app_configs():
        if app_config.label in MACHINERY:
            continue
        if not any(issubclass(model, BaseRecord) for model in app_config.get_models()):
            continue
        name = f"{__package__}.{app_config.label}"
        if find_spec(name) is not None:
            names.append(name)
    return names


def load() -> None:
    """Import every record app's rule module (once; importing again registers nothing twice)."""
    for name in rule_module_names():
        import_module(name)
    base.catalogue_loaded()
