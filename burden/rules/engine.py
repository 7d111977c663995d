"""Running rules and keeping violations in step with what they find.

- ``evaluate_record``: after a record is saved or deleted (a Celery task, eager on
  the embedded default), every enabled rule of its kind over the records it affects.
- ``sweep``: every enabled rule over every record, as the schedule and
  ``manage.py evaluate_rules`` do; clock rules see ``today``.
- ``violations_sync`` (in ``sync``): the one writer of violations, in set-based SQL: a
  fixed number of statements per rule and scope, plus one per batch of findings loaded,
  however many records and violations there are.

A ``Progress`` given to ``sweep`` follows it step by step (a group of units of a rule
read, a rule's findings written) and finding by finding, for a page to show.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.db.models import Exists, F, OuterRef, Q, Value
from django.dispatch import Signal
from django.utils import timezone

from ..records.registry import record_models
from .base import ANY_KIND, Finding, Rule, all_rules, get_rule
from .models import PendingEvaluation, RuleOverride, RuleSetting, Violation
from .sync import violations_clear, violations_sync

logger = logging.getLogger(__name__)

#: Sent once the violations of an evaluation are written: ``units`` (ids of the units
#: whose flags it can have moved; ``None`` after a sweep over everything) and ``today``.
#: The review gathers the flags into cases on it (``burden.review.cases``), so the engine
#: knows nothing of what is built on its findings.
evaluated = Signal()


def rule_state(rule: Rule, settings_by_code: dict | None = None) -> tuple[bool, dict]:
    """Whether the rule is on, and its parameters: the admins' where they set them, else the paper's."""
    if settings_by_code is None:
        setting = RuleSetting.objects.filter(rule=rule.code).first()
    else:
        setting = settings_by_code.get(rule.code)
    if setting is None:
        return True, rule.defaults()
    return setting.enabled, {**rule.defaults(), **setting.params}


def rule_params_for(code: str, unit) -> dict:
    """A rule's parameters as they apply to ``unit``, as the sweep judges it (``param_groups``).

    ``rule_state``'s, then the nearest override on the unit or above it (two queries). For
    what shows a rule's limit outside the sweep (a secondment's clock), so that it never
    disagrees with the flags.
    """
    _enabled, params = rule_state(get_rule(code))
    nearest = (
        RuleOverride.objects.alias(below=Value(unit.path))
        .filter(rule=code, below__startswith=F("unit__path"))
        .order_by("-unit__depth")
        .values_list("params", flat=True)
        .first()
    )
    return {**params, **(nearest or {})}


def overrides_by_rule() -> dict[str, list]:
    overrides: dict[str, list] = {}
    for override in RuleOverride.objects.select_related("unit"):
        overrides.setdefault(override.rule, []).append(override)
    return overrides


def rules_for(kind: str) -> list[Rule]:
    return in_supersession_order(rule for rule in all_rules() if rule.record_kind in (kind, ANY_KIND))


def in_supersession_order(rules: Iterable[Rule]) -> list[Rule]:
    """``rules`` with each superseding rule before the rules it supersedes, else by code.

    A superseded rule skips the records its superseding rules flag (``evaluate``), so in
    a pass over rules their violations must be written before it reads them.
    """
    depths: dict[str, int] = {}

    def depth(rule: Rule) -> int:
        if rule.code not in depths:
            depths[rule.code] = 1 + max((depth(get_rule(code)) for code in rule.superseded_by), default=-1)
        return depths[rule.code]

    return sorted(rules, key=lambda rule: (depth(rule), rule.code))


def with_superseded(codes: Iterable[str]) -> set[str]:
    """``codes`` and the codes of every rule they supersede, however indirectly.

    Re-running a superseding rule changes which records the rules it supersedes may
    flag: turned off, its flags clear and theirs come back.
    """
    found = set(codes)
    while True:
        more = {rule.code for rule in all_rules() if found.intersection(rule.superseded_by)} - found
        if not more:
            return found
        found |= more


@dataclass
class Progress:
    """How far a sweep has got: steps done of the total, and findings read so far.

    ``report`` is called with it each time it moves (after every batch of findings), so
    that it can be saved where others see it.
    """

    report: Callable[[Progress], None] | None = None
    steps_total: int = 0
    steps_done: int = 0
    findings: int = 0

    def start(self, steps_total: int) -> None:
        self.steps_total = steps_total
        self._report()

    def step(self) -> None:
        self.steps_done += 1
        self._report()

    def found(self, count: int) -> None:
        self.findings += count
        self._report()

    def _report(self) -> None:
        if self.report is not None:
            self.report(self)


def param_groups(rule: Rule, params: dict, overrides: list | None = None) -> list[tuple[dict, Q]]:
    """(parameters, filter on the record's unit) for each group of units judged alike.

    Units under an override take its parameters (over the rule's own); the nearest
    override wins, so a deeper override carves its subtree out of the one above it.
    """
    return list(param_groups_by_path(rule, params, overrides).values())


def param_groups_by_path(rule: Rule, params: dict, overrides: list | None = None) -> dict[str | None, tuple[dict, Q]]:
    """``param_groups`` by the path of the override's unit; ``None`` for the units under no override."""
    if overrides is None:
        overrides = list(RuleOverride.objects.filter(rule=rule.code).select_related("unit"))
    if not overrides:
        return {None: (params, Q())}
    paths = {override.unit.path: override for override in overrides}
    groups: dict[str | None, tuple[dict, Q]] = {}
    for path, override in paths.items():
        groups[path] = ({**params, **override.params}, subtree_alone(path, paths))
    rest = Q()
    for path in paths:
        rest &= ~Q(unit__path__startswith=path)
    groups[None] = (params, rest)
    return groups


def subtree_alone(path: str, override_paths) -> Q:
    """The records of the units at or below ``path``, less the subtrees of the overrides below it."""
    query = Q(unit__path__startswith=path)
    for other in override_paths:
        if other != path and other.startswith(path):
            query &= ~Q(unit__path__startswith=other)
    return query


def judged(rule: Rule, kind: str, records):
    """The records the rule judges: less those a rule superseding it flags (see ``evaluate``)."""
    if not rule.superseded_by:
        return records
    superseding = Violation.objects.filter(
        rule__in=rule.superseded_by,
        record_kind=kind,
        record_id=OuterRef("pk"),
        status__in=Violation.OPEN_STATUSES,
    )
    return records.filter(~Exists(superseding))


def evaluate(
    rule: Rule,
    kind: str,
    model,
    scope,
    today: datetime.date,
    settings_by_code=None,
    overrides_by_code=None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """One rule over the records of ``scope`` (a queryset of ``model``, or ids of deleted records).

    A record that a rule superseding this one flags (an open or acknowledged violation,
    written earlier in the same pass) is not judged: that flag stands for this rule's
    finding, and a flag of this rule still on the record is cleared as not found again.

    With ``progress``, a step for each group of units read and one for the writing.
    """
    enabled, params = rule_state(rule, settings_by_code)
    records = judged(rule, kind, scope if hasattr(scope, "values") else model.objects.none())
    groups = []
    if enabled:
        overrides = None if overrides_by_code is None else overrides_by_code.get(rule.code, [])
        groups = param_groups(rule, params, overrides)

    def findings() -> Iterable[Finding]:
        for group_params, units in groups:
            for finding in rule.find(records.filter(units), group_params, today):
                # The limits a finding was judged by travel with it, for its message.
                yield replace(finding, values={**group_params, **finding.values})
            if progress is not None:
                progress.step()

    result = violations_sync(
        rule, kind, findings(), scope, {}, progress=progress.found if progress else None, dated_by=model
    )
    if progress is not None:
        progress.step()
    return result


def evaluate_record(kind: str, record_id: int, today: datetime.date | None = None) -> None:
    """Every rule of the record's kind over what a change to that record can affect.

    A deleted record has nothing left to find: its open violations are cleared.
    """
    today = today or timezone.localdate()
    model = record_models()[kind]
    record = model.objects.filter(pk=record_id).first()
    settings_by_code = {setting.rule: setting for setting in RuleSetting.objects.all()}
    # What the record was before this change: an aggregate rule must look again at the
    # group it left (the day it was moved from, the documents it no longer supplements).
    versions = list(model.history.filter(id=record_id).order_by("-history_date", "-history_id")[:2])
    previous = versions[0] if record is None else (versions[1] if len(versions) > 1 else None)
    before = previous.instance if previous is not None else None
    scopes_by_code: dict[str, list] = {}
    for rule in rules_for(kind):  # superseding rules first
        scopes = [rule.related(record) if record is not None else [record_id]]
        if rule.aggregate and before is not None:
            # The group it left first: found again there, that group's violation stops
            # listing the record, so the record's new scope does not clear it (a clear and
            # a reopen, and people's acknowledgement lost, for a group that still holds).
            scopes.insert(0, rule.related(before))
        scopes_by_code[rule.code] = scopes
        # A superseded rule looks again wherever its superseding rules did: where they no
        # longer flag a record (a later meeting no longer a repeat), its own finding returns.
        for code in rule.superseded_by:
            scopes = scopes + scopes_by_code.get(code, [])
        for scope in scopes:
            evaluate(rule, kind, model, scope, today, settings_by_code)
    PendingEvaluation.objects.filter(record_kind=kind, record_id=record_id).delete()
    # The flags of the record's unit (and of the one it left) join their cases, or leave them.
    units = {version.unit_id for version in (record, before) if version is not None}
    evaluated.send(sender=evaluate_record, units=units, today=today)


def sweep(
    today: datetime.date | None = None, codes: Iterable[str] | None = None, progress: Progress | None = None
) -> dict[str, dict[str, int]]:
    """Every enabled rule (or the ``codes`` given) over every record; pending evaluations are then done.

    The ``codes`` given bring the rules they supersede (``with_superseded``), and every
    superseding rule runs before the rules it supersedes. ``progress``, when given, gets
    its total of steps first and is moved as the sweep goes.
    """
    today = today or timezone.localdate()
    settings_by_code = {setting.rule: setting for setting in RuleSetting.objects.all()}
    overrides_by_code = overrides_by_rule()
    models = record_models()
    wanted = with_superseded(codes) if codes is not None else None
    plan = []
    for rule in in_supersession_order(all_rules()):
        if wanted is not None and rule.code not in wanted:
            continue
        kinds = list(models) if rule.record_kind == ANY_KIND else [rule.record_kind]
        plan.extend((rule, kind) for kind in kinds)
    if progress is not None:
        steps = 1  # the orphans, at the end
        for rule, _kind in plan:
            enabled, params = rule_state(rule, settings_by_code)
            steps += (len(param_groups(rule, params, overrides_by_code.get(rule.code, []))) if enabled else 0) + 1
        progress.start(steps)
    results = {}
    for rule, kind in plan:
        model = models[kind]
        results[f"{rule.code}:{kind}"] = evaluate(
            rule, kind, model, model.objects.all(), today, settings_by_code, overrides_by_code, progress
        )
    # Records removed without the services (a raw delete, a cascade) leave no finding.
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join however many records there are.
    orphans = [
        Violation.objects.filter(record_kind=kind).exclude(Exists(model.objects.filter(pk=OuterRef("record_id"))))
        for kind, model in models.items()
    ]
    if wanted is not None:
        orphans = [violations.filter(rule__in=wanted) for violations in orphans]
    violations_clear(*orphans)
    if progress is not None:
        progress.step()
    if wanted is None:
        PendingEvaluation.objects.all().delete()  # the sweep covered them
    evaluated.send(sender=sweep, units=None, today=today)
    return results
