"""The burden-reduction rules: the paper's countermeasures as configurable checks.

``base`` has the rule type and registry, ``engine`` runs rules and keeps violations
in step, and one module per kind of record holds that kind's rules (``catalogue``
imports them all).
"""

from .base import Finding, Param, Rule, all_rules, get_rule, register

__all__ = ["Finding", "Param", "Rule", "all_rules", "get_rule", "register"]
