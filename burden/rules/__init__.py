"""The burden-reduction rules: the paper's countermeasures as configurable checks.

The machinery: ``base`` (the rule type, its parameters and the registry of rules),
``models`` (what the engine stores: settings, violations, runs; tables of ``burden``),
``engine`` (runs rules), ``sync`` (writes violations), ``tasks`` (its Celery tasks) and
``catalogue`` (finds the rule modules at start-up). The admins' side: ``services`` (the
writes of thresholds and overrides), ``runs`` (re-applying a rule after one), ``forms``
and ``views`` (the rules' pages). The policy: ``common`` (rules of every
kind) and one module per record app, named after it, holding that kind's rules — the
only modules of the core that import a record app.

Importing this package loads only ``base``, so the model layer can read a rule's title
without loading the engine or any record app.
"""

from .base import Finding, Param, Rule, all_rules, get_rule, register

__all__ = ["Finding", "Param", "Rule", "all_rules", "get_rule", "register"]
