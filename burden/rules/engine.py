"""Running rules and keeping violations in step with what they find.

- ``evaluate_record``: after a record is saved or deleted (a Celery task, eager on
  the embedded default), every enabled rule of its kind over the records it affects.
- ``sweep``: every enabled rule over every record, as the schedule and
  ``manage.py evaluate_rules`` do; clock rules see ``today``.
- ``violations_sync``: the one writer of violations. Reading and refreshing are a fixed
  number of SQL statements per rule and scope, however many records there are; only
  changes (new, cleared, reopened findings) add writes, in batches.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import replace

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..models import PendingEvaluation, RuleOverride, RuleSetting, Violation, ViolationEvent
from .base import Finding, Rule, all_rules, get_rule

logger = logging.getLogger(__name__)
ANY_KIND = "*"


def record_models() -> dict[str, type]:
    """record_kind -> model, for every kind of record."""
    from ..record_views import record_configs

    return {config.model.record_kind: config.model for config in record_configs()}


def rule_state(rule: Rule, settings_by_code: dict | None = None) -> tuple[bool, dict]:
    """Whether the rule is on, and its parameters: the admins' where they set them, else the paper's."""
    if settings_by_code is None:
        setting = RuleSetting.objects.filter(rule=rule.code).first()
    else:
        setting = settings_by_code.get(rule.code)
    if setting is None:
        return True, rule.defaults()
    return setting.enabled, {**rule.defaults(), **setting.params}


def overrides_by_rule() -> dict[str, list]:
    overrides: dict[str, list] = {}
    for override in RuleOverride.objects.select_related("unit"):
        overrides.setdefault(override.rule, []).append(override)
    return overrides


def rules_for(kind: str) -> list[Rule]:
    return [rule for rule in all_rules() if rule.record_kind in (kind, ANY_KIND)]


def violation_message(violation: Violation) -> str:
    """The violation's message in the active language, with the limits as they were when found."""
    try:
        rule = get_rule(violation.rule)
    except KeyError:
        return violation.rule
    try:
        return rule.render(violation.details, {})
    except (KeyError, TypeError, ValueError):
        return str(rule.title)


@transaction.atomic
def violations_sync(rule: Rule, kind: str, findings: Iterable[Finding], scope, params: dict) -> dict[str, int]:
    """Make the violations of ``rule`` on the records of ``scope`` match ``findings``.

    New findings open violations (a unique constraint makes a duplicate impossible,
    even with two workers); findings that hold again refresh ``last_seen``; findings
    gone clear their open violations and ones that return reopen, each step kept in
    the timeline. ``scope`` is a queryset of the records that were evaluated, or a
    list of record ids (a deleted record: nothing is found, all is cleared).
    """
    now = timezone.now()
    scope_ids = scope.values("pk") if hasattr(scope, "values") else list(scope)
    found = {(finding.record_id, finding.key): finding for finding in findings}
    existing = {
        (violation.record_id, violation.key): violation
        for violation in Violation.objects.filter(rule=rule.code, record_kind=kind, record_id__in=scope_ids).only(
            "pk", "record_id", "key", "status", "details"
        )
    }
    if found:
        # Rows found outside the scope (another record an aggregate rule touched) exist too.
        missing = [key for key in found if key not in existing]
        if missing:
            for violation in Violation.objects.filter(
                rule=rule.code, record_kind=kind, record_id__in={record_id for record_id, _key in missing}
            ).only("pk", "record_id", "key", "status", "details"):
                existing.setdefault((violation.record_id, violation.key), violation)

    created = [
        Violation(
            rule=rule.code,
            record_kind=kind,
            record_id=finding.record_id,
            key=finding.key,
            unit_id=finding.unit_id,
            source_unit_id=finding.source_unit_id,
            severity=rule.severity,
            details={**params, **finding.values},
            last_seen=now,
        )
        for key, finding in found.items()
        if key not in existing
    ]
    Violation.objects.bulk_create(created, batch_size=2000, ignore_conflicts=True)

    seen = [existing[key] for key in found if key in existing]
    reopened = [violation for violation in seen if violation.status == Violation.Status.CLEARED]
    cleared = [
        violation
        for key, violation in existing.items()
        if key not in found and violation.status in Violation.OPEN_STATUSES
    ]
    changed_details = []
    for violation in seen:
        details = {**params, **found[(violation.record_id, violation.key)].values}
        if violation.details != details:
            violation.details = details
            changed_details.append(violation)
    Violation.objects.bulk_update(changed_details, ["details"], batch_size=2000)
    _move(reopened, Violation.Status.OPEN)
    _move(cleared, Violation.Status.CLEARED)
    # Every finding that holds is seen now: after the moves above, those are exactly the
    # open violations of the scope, refreshed in one statement however many there are.
    Violation.objects.filter(
        rule=rule.code, record_kind=kind, record_id__in=scope_ids, status__in=Violation.OPEN_STATUSES
    ).update(last_seen=now)
    if created:
        fresh = Violation.objects.filter(
            rule=rule.code, record_kind=kind, record_id__in=[v.record_id for v in created], first_seen__gte=now
        ).values_list("pk", flat=True)
        ViolationEvent.objects.bulk_create(
            [ViolationEvent(violation_id=pk, to_status=Violation.Status.OPEN) for pk in fresh], batch_size=2000
        )
    return {"opened": len(created), "reopened": len(reopened), "cleared": len(cleared)}


def _move(violations: list[Violation], status: str) -> None:
    """The system's status change, kept in each violation's timeline."""
    if not violations:
        return
    Violation.objects.filter(pk__in=[v.pk for v in violations]).update(status=status)
    ViolationEvent.objects.bulk_create(
        [ViolationEvent(violation_id=v.pk, from_status=v.status, to_status=status) for v in violations],
        batch_size=2000,
    )


def param_groups(rule: Rule, params: dict, overrides: list | None = None) -> list[tuple[dict, Q]]:
    """(parameters, filter on the record's unit) for each group of units judged alike.

    Units under an override take its parameters (over the rule's own); the nearest
    override wins, so a deeper override carves its subtree out of the one above it.
    """
    if overrides is None:
        overrides = list(RuleOverride.objects.filter(rule=rule.code).select_related("unit"))
    if not overrides:
        return [(params, Q())]
    paths = {override.unit.path: override for override in overrides}
    groups = []
    for path, override in paths.items():
        inner = [other for other in paths if other != path and other.startswith(path)]
        query = Q(unit__path__startswith=path)
        for other in inner:
            query &= ~Q(unit__path__startswith=other)
        groups.append(({**params, **override.params}, query))
    rest = Q()
    for path in paths:
        rest &= ~Q(unit__path__startswith=path)
    groups.append((params, rest))
    return groups


def evaluate(
    rule: Rule, kind: str, model, scope, today: datetime.date, settings_by_code=None, overrides_by_code=None
) -> dict[str, int]:
    """One rule over the records of ``scope`` (a queryset of ``model``, or ids of deleted records)."""
    enabled, params = rule_state(rule, settings_by_code)
    records = scope if hasattr(scope, "values") else model.objects.none()
    findings = []
    if enabled:
        overrides = None if overrides_by_code is None else overrides_by_code.get(rule.code, [])
        for group_params, units in param_groups(rule, params, overrides):
            for finding in rule.find(records.filter(units), group_params, today):
                # The limits a finding was judged by travel with it, for its message.
                findings.append(replace(finding, values={**group_params, **finding.values}))
    return violations_sync(rule, kind, findings, scope, {})


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
    for rule in rules_for(kind):
        evaluate(
            rule, kind, model, rule.related(record) if record is not None else [record_id], today, settings_by_code
        )
        if rule.aggregate and before is not None:
            evaluate(rule, kind, model, rule.related(before), today, settings_by_code)
    PendingEvaluation.objects.filter(record_kind=kind, record_id=record_id).delete()


def sweep(today: datetime.date | None = None, codes: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Every enabled rule (or the ``codes`` given) over every record; pending evaluations are then done."""
    today = today or timezone.localdate()
    settings_by_code = {setting.rule: setting for setting in RuleSetting.objects.all()}
    overrides_by_code = overrides_by_rule()
    models = record_models()
    wanted = set(codes) if codes is not None else None
    results = {}
    for rule in all_rules():
        if wanted is not None and rule.code not in wanted:
            continue
        kinds = list(models) if rule.record_kind == ANY_KIND else [rule.record_kind]
        for kind in kinds:
            model = models[kind]
            results[f"{rule.code}:{kind}"] = evaluate(
                rule, kind, model, model.objects.all(), today, settings_by_code, overrides_by_code
            )
    for kind, model in models.items():
        # Records removed without the services (a raw delete, a cascade) leave no finding.
        # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join however many records there are.
        orphans = (
            Violation.objects.open()
            .filter(record_kind=kind)
            .exclude(Exists(model.objects.filter(pk=OuterRef("record_id"))))
        )
        if wanted is not None:
            orphans = orphans.filter(rule__in=wanted)
        _move(list(orphans.only("pk", "status")), Violation.Status.CLEARED)
    if wanted is None:
        PendingEvaluation.objects.all().delete()  # the sweep covered them
    return results
