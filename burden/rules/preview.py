"""What a change of a rule's thresholds would do, shown before an admin confirms it.

The rule's own ``find()`` runs with the new parameters over the records the change
covers — the units whose parameters it changes: the whole city less the units under a
unit's own thresholds (which keep theirs), or an override's subtree less the overrides
below it — exactly as the re-application after saving will judge them (``param_groups``,
the records a superseding rule flags left out). Its findings are compared with the
rule's violations in set-based SQL (``violations_diff``); nothing is written. The
counts are of this rule's flags; a rule it supersedes may see its own come or go too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from ..records.registry import record_models
from .base import ANY_KIND, Rule
from .engine import judged, param_groups_by_path, rule_state, subtree_alone
from .models import RuleChange, RuleOverride
from .sync import violations_diff


@dataclass(frozen=True)
class Preview:
    """How many open flags of the rule a change would clear and how many it would raise, and where.

    ``unit`` is the override's unit (its subtree is the scope), None for the whole
    city; ``carved_out`` says units with thresholds of their own keep them; ``change``
    is the unsaved audit row, for the change in words.
    """

    change: RuleChange
    raised: int
    cleared: int
    unit: object = None
    carved_out: bool = False

    @property
    def removes(self) -> bool:
        """Whether the change removes a unit's thresholds of its own."""
        return self.unit is not None and self.change.new.get("params") is None

    @property
    def unchanged(self) -> bool:
        return _same(self.change.old, self.change.new)


def _same(old: dict, new: dict) -> bool:
    """Equal as stored (JSON: a tuple of defaults is the list saved)."""
    return json.loads(json.dumps(old)) == json.loads(json.dumps(new))


def _overrides(rule: Rule) -> list:
    return list(RuleOverride.objects.filter(rule=rule.code).select_related("unit"))


def _counts(rule: Rule, regions: list[tuple[dict | None, Q]]) -> tuple[int, int]:
    """(raised, cleared) over ``regions``: (parameters, or None where the rule would be off; filter on the unit)."""
    today = timezone.localdate()
    models = record_models()
    kinds = list(models) if rule.record_kind == ANY_KIND else [rule.record_kind]
    raised = cleared = 0
    for kind in kinds:
        model = models[kind]
        for params, units in regions:
            scope = model.objects.filter(units)
            findings = () if params is None else rule.find(judged(rule, kind, scope), params, today)
            counts = violations_diff(rule, kind, findings, scope)
            raised, cleared = raised + counts["raised"], cleared + counts["cleared"]
    return raised, cleared


def rule_update_preview(*, rule: Rule, enabled: bool, params: dict) -> Preview:
    """What ``rule_update`` with these would do: the city's thresholds, or the rule switched on or off."""
    old_enabled, old_params = rule_state(rule)
    change = RuleChange(
        rule=rule.code,
        old={"enabled": old_enabled, "params": old_params},
        new={"enabled": enabled, "params": params},
    )
    overrides = _overrides(rule)
    carved_out = False
    if not enabled:
        regions = [(None, Q())]  # off: every flag of the rule clears, override or not
    else:
        groups = param_groups_by_path(rule, params, overrides)
        regions = list(groups.values())
        if old_enabled:
            before = param_groups_by_path(rule, old_params, overrides)
            # Units whose thresholds of their own give every parameter are judged as before.
            regions = [group for path, group in groups.items() if group[0] != before[path][0]]
            carved_out = len(regions) < len(groups)
    if _same(change.old, change.new):
        regions = []
    raised, cleared = _counts(rule, regions)
    return Preview(change=change, raised=raised, cleared=cleared, carved_out=carved_out)


def rule_override_preview(*, rule: Rule, unit, params: dict | None) -> Preview:
    """What setting ``unit``'s thresholds to ``params`` would do in its subtree (``params`` None: removing them)."""
    enabled, city = rule_state(rule)
    overrides = _overrides(rule)
    paths = {override.unit.path: override for override in overrides}
    current = paths.get(unit.path)
    change = RuleChange(
        rule=rule.code,
        unit=unit,
        old={"params": current.params if current else None},
        new={"params": params},
    )
    if params is None:
        # The nearest thresholds above the unit apply to it again, or the city's.
        above = [path for path in paths if path != unit.path and unit.path.startswith(path)]
        params_after = {**city, **paths[max(above, key=len)].params} if above else city
    else:
        params_after = {**city, **params}
    region = subtree_alone(unit.path, paths)
    regions = [] if _same(change.old, change.new) else [(params_after if enabled else None, region)]
    raised, cleared = _counts(rule, regions)
    carved_out = any(path != unit.path and path.startswith(unit.path) for path in paths)
    return Preview(change=change, raised=raised, cleared=cleared, unit=unit, carved_out=carved_out)
