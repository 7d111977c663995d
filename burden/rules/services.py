"""Writes to the rules' settings: an admin's thresholds, a unit's override, its removal.

Each is one transaction that saves the setting with its audit row (``RuleChange``) and
queues a run re-applying the rule after commit (``burden.rules.runs``). The rules' pages
and the API call them; nothing else writes a ``RuleSetting`` or a ``RuleOverride``.
"""

from __future__ import annotations

import json

from django.db import transaction

from .engine import rule_state
from .models import RuleChange, RuleOverride, RuleSetting
from .runs import rule_run_start


def rule_version(code: str) -> int:
    """The version of a rule's setting; 1 before its first change (the version that change creates)."""
    return RuleSetting.objects.filter(rule=code).values_list("version", flat=True).first() or 1


@transaction.atomic
def rule_update(
    *, rule, enabled: bool, params: dict, reason: str, user, expected_version: int | None = None
) -> RuleChange | None:
    """Save a rule's new setting with its audit row; a run re-applies it to what it covers after commit.

    Returns the audit row, or None when nothing changed. Raises ``StaleWrite`` if the
    setting changed since ``expected_version`` (None: no check).
    """

    setting, _created = RuleSetting.objects.select_for_update().get_or_create(rule=rule.code)
    old_enabled, old_params = rule_state(rule, {rule.code: setting} if not _created else {})
    old = {"enabled": old_enabled, "params": old_params}
    new = {"enabled": enabled, "params": params}
    if json.loads(json.dumps(old)) == json.loads(json.dumps(new)):
        return None
    setting.enabled, setting.params = enabled, params
    setting.save(expected_version=expected_version)
    change = RuleChange.objects.create(rule=rule.code, changed_by=user, old=old, new=new, reason=reason)
    rule_run_start(code=rule.code, change=change, user=user)
    return change


@transaction.atomic
def rule_override_set(*, rule, unit, params: dict, reason: str, user) -> RuleChange:
    """Create or change the override of ``rule`` for ``unit``'s subtree, audited; re-applied after commit."""
    override = RuleOverride.objects.select_for_update().filter(rule=rule.code, unit=unit).first()
    old = override.params if override else None
    if override is None:
        override = RuleOverride(rule=rule.code, unit=unit)
    override.params = params
    override.save()
    change = RuleChange.objects.create(
        rule=rule.code, unit=unit, changed_by=user, old={"params": old}, new={"params": params}, reason=reason
    )
    rule_run_start(code=rule.code, change=change, user=user)
    return change


@transaction.atomic
def rule_override_remove(*, override, reason: str, user) -> RuleChange:
    """Remove an override: its subtree is judged by the thresholds above it again (audited, re-applied)."""
    change = RuleChange.objects.create(
        rule=override.rule,
        unit=override.unit,
        changed_by=user,
        old={"params": override.params},
        new={"params": None},
        reason=reason,
    )
    override.delete()
    rule_run_start(code=change.rule, change=change, user=user)
    return change
