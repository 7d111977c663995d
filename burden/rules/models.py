"""What the rules engine stores: rule settings and their audit, violations and their timeline.

Tables of the ``burden`` app (``burden.models`` imports them, which registers them). This
module is part of the model layer: it imports the rule type (``base``) and nothing of the
engine or the rule modules, so loading the models never loads a record app.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..concurrency import Versioned
from ..progress import ProgressMixin
from ..scoping import STAFF, ScopedQuerySet, scope_for
from .base import Severity


class RuleSetting(Versioned):
    """An admin's choice for one rule: on or off, and the parameters that differ from the paper's.

    Versioned: a rule with no setting yet reads as version 1, the version of the row
    its first change creates.
    """

    rule = models.CharField(_("rule"), max_length=32, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return self.rule

    def changes_since(self, version: int):
        """What changed since ``version``, from the audit: every save of a setting writes one ``RuleChange``."""
        from ..concurrency import Change
        from .base import get_rule

        stored = type(self)._base_manager.get(pk=self.pk)
        audit = list(
            RuleChange.objects.filter(rule=self.rule, unit__isnull=True)
            .select_related("changed_by")
            .order_by("-changed_at", "-pk")[: max(stored.version - version, 0)]
        )
        if not audit or stored.version - version != len(audit):
            return None
        audit.reverse()
        rule = get_rule(self.rule)

        def flat(state: dict) -> dict:
            params = state.get("params") or {}
            return {"enabled": state.get("enabled"), **{f"param_{name}": value for name, value in params.items()}}

        who = {}
        for change in audit:
            old, new = flat(change.old), flat(change.new)
            who.update({key: change.changed_by for key in new if new.get(key) != old.get(key)})
        before = flat(audit[0].old)
        now = flat({"enabled": stored.enabled, "params": {**rule.defaults(), **stored.params}})
        labels = {"enabled": str(_("Enabled")), **{f"param_{p.name}": str(p.label) for p in rule.params}}
        params = {f"param_{p.name}": p for p in rule.params}

        def shown(key, value):
            if key == "enabled":
                return str(_("On") if value else _("Off"))
            return params[key].display(value)

        return [
            Change(
                name=key.removeprefix("param_"), label=labels[key], value=shown(key, now[key]), changed_by=who.get(key)
            )
            for key in labels
            if now.get(key) != before.get(key)
        ]


class RuleOverrideQuerySet(ScopedQuerySet):
    unit_field = "unit"


class RuleOverride(models.Model):
    """Parameters of a rule for one unit and everything below it; the nearest override wins.

    So a district can be stricter (or looser) than the city: its units are judged by
    the district's thresholds, a street's own override by the street's.
    """

    rule = models.CharField(_("rule"), max_length=32)
    unit = models.ForeignKey("burden.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(_("parameters"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RuleOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule override")
        verbose_name_plural = _("rule overrides")
        constraints = [models.UniqueConstraint(fields=["rule", "unit"], name="rule_override_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.unit_id}"


class RuleChangeQuerySet(ScopedQuerySet):
    unit_field = "unit"

    def for_user(self, user, min_role: str = STAFF):
        """The changes of overrides in the units ``user`` may reach, and the city's own for anyone signed in.

        An override's change whose unit was deleted since has no unit either; its ``new``
        has no ``enabled`` (only the city's own thresholds switch a rule on or off), so it
        is not mistaken for a city-wide change and stays hidden.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        city_wide = models.Q(unit__isnull=True, new__has_key="enabled")
        if scope.is_empty:
            return self.filter(city_wide)
        return self.filter(scope.q(self.unit_field, min_role) | city_wide)


class RuleChange(models.Model):
    """The audit of a threshold change: who, when, what it was, what it became and why."""

    rule = models.CharField(_("rule"), max_length=32, db_index=True)
    unit = models.ForeignKey(
        "burden.Unit",
        verbose_name=_("for the unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the rule's own thresholds; a unit for an override of its subtree."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    old = models.JSONField(_("before"))
    new = models.JSONField(_("after"))
    reason = models.TextField(_("reason"), blank=True)

    objects = RuleChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")

    def __str__(self) -> str:
        return f"{self.rule} @ {self.changed_at:%Y-%m-%d %H:%M}"

    def in_words(self) -> list[str]:
        """What the change did, a phrase each, in the reader's language (no query).

        "Longest allowed (minutes): 90 → 120", "switched off"; an override's first setting
        lists its thresholds, its removal says so. Parameters that did not change are left
        out; a parameter the rule no longer has is named as stored.
        """
        from .base import get_rule

        try:
            params = {param.name: param for param in get_rule(self.rule).params}
        except KeyError:
            params = {}

        def label(name):
            return str(params[name].label) if name in params else name

        def shown(name, value):
            return params[name].display(value) if name in params else str(value)

        # As stored: a rule's default of chosen values is a tuple, the saved one a list.
        old, new = json.loads(json.dumps(self.old or {})), json.loads(json.dumps(self.new or {}))
        old_params, new_params = old.get("params"), new.get("params")
        words = []
        if "enabled" in new and old.get("enabled") != new["enabled"]:
            words.append(str(_("switched on") if new["enabled"] else _("switched off")))
        if self.unit_id is not None or "enabled" not in new:
            if new_params is None:
                return [str(_("thresholds of its own removed; the ones above apply again"))]
            if old_params is None:
                words.append(str(_("thresholds of its own set")))
                words.extend(
                    str(_("%(label)s: %(value)s")) % {"label": label(name), "value": shown(name, value)}
                    for name, value in new_params.items()
                )
                return words
        for name, value in (new_params or {}).items():
            before = (old_params or {}).get(name)
            if before != value:
                words.append(
                    str(_("%(label)s: %(old)s → %(new)s"))
                    % {"label": label(name), "old": shown(name, before), "new": shown(name, value)}
                )
        return words or [str(_("no threshold changed"))]

    def summary(self) -> str:
        """``in_words`` as one sentence of the reader's language."""
        from django.utils.translation import get_language

        return ("；" if (get_language() or "").startswith("zh") else "; ").join(self.in_words())


class ViolationQuerySet(ScopedQuerySet):
    unit_field = "unit"

    def open(self):
        return self.filter(status__in=Violation.OPEN_STATUSES)

    def touching(self, kind: str, record_id: int) -> ViolationQuerySet:
        """The violations a record takes part in: its own, and the groups that list it.

        One ``id IN (own UNION groups')`` subquery, each side found by its index on the
        record, so that finding a record's flags never scans the flags of every record.
        (A list of records counts its page's flags itself: ``record_views.attach_open_flags``.)
        """
        own = Violation.objects.filter(record_kind=kind, record_id=record_id).order_by().values("pk")
        behind = ViolationRecord.objects.filter(record_kind=kind, record_id=record_id).order_by().values("violation_id")
        return self.filter(pk__in=own.union(behind))


class Violation(models.Model):
    """One finding of one rule on one record (and key), with a life of its own.

    The system opens it, refreshes ``last_seen`` each time the finding holds, moves
    it to *cleared* when it stops holding and back to *open* if it returns; people
    acknowledge, resolve or waive it. The message is rendered in the reader's
    language from the rule and ``details``. It is dated by ``occurred_on``, the day of
    the burden it stands for, which reports and dashboards count by.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        WAIVED = "waived", _("Waived")
        CLEARED = "cleared", _("Cleared")

    Severity = Severity  # the rules' own scale (``burden.rules.base``)

    OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    rule = models.CharField(_("rule"), max_length=32)
    record_kind = models.CharField(_("kind of record"), max_length=32)
    record_id = models.PositiveBigIntegerField(_("record"))
    key = models.CharField(_("key"), max_length=64, blank=True, default="")
    unit = models.ForeignKey("burden.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    source_unit = models.ForeignKey(
        "burden.Unit", verbose_name=_("source unit"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    details = models.JSONField(_("details"), default=dict)
    # The burden's date: the record's own date (or, for a rule judging a group, the group's
    # day, quarter or year), so that a record dated in November and entered in December is
    # November's in reports and filters. ``first_seen`` is when the rules engine found it.
    occurred_on = models.DateField(_("occurred on"), db_index=True)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"))
    # Set by a waiver that expires; the daily task reopens the flag on that day (burden.review).
    waiver_expires_on = models.DateField(_("waiver expires on"), null=True, blank=True)
    # The case (督办事项) the flag is gathered into while open (burden.review.cases).
    case = models.ForeignKey(
        "burden.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="violations",
    )

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            # Two workers evaluating the same record can never make a second violation.
            models.UniqueConstraint(fields=["rule", "record_kind", "record_id", "key"], name="violation_unique_finding")
        ]
        indexes = [
            models.Index(fields=["record_kind", "record_id"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["rule", "status"]),
            models.Index(fields=["status", "waiver_expires_on"], name="violation_waiver_expiry"),
            # Reports and the queue's date filter: a unit's (subtree's) flags of a period.
            models.Index(fields=["unit", "occurred_on"], name="violation_unit_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.record_kind} {self.record_id}"

    @property
    def message(self) -> str:
        """The message in the active language, with the limits as they were when found."""
        from .base import get_rule

        try:
            rule = get_rule(self.rule)
        except KeyError:
            return self.rule
        try:
            return rule.render(self.details, {})
        except (KeyError, TypeError, ValueError):
            return str(rule.title)

    @property
    def rule_title(self) -> str:
        from .base import rule_title

        return rule_title(self.rule)

    @property
    def rule_citation(self) -> str:
        """Where the rule comes from ("App Measures (2026), ..."), in the reader's language; "" if it is gone."""
        from .base import get_rule

        try:
            return get_rule(self.rule).citation
        except KeyError:
            return ""


class ViolationRecord(models.Model):
    """A record behind a group's violation (an aggregate rule's finding): the group lists them all.

    A record rule's violation has none: its one record is ``record_kind``/``record_id``.
    A group's violation is anchored on its first record and lists every record of the
    group, the anchor included, here; the rules engine rewrites the list as the group
    changes (``burden.rules.sync``).
    """

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="members")
    record_kind = models.CharField(_("kind of record"), max_length=32)
    record_id = models.PositiveBigIntegerField(_("record"))

    class Meta:
        verbose_name = _("record behind a violation")
        verbose_name_plural = _("records behind violations")
        constraints = [models.UniqueConstraint(fields=["violation", "record_id"], name="violation_record_once")]
        indexes = [models.Index(fields=["record_kind", "record_id"], name="violation_record_lookup")]

    def __str__(self) -> str:
        return f"{self.violation_id}: {self.record_kind} {self.record_id}"


class ViolationEvent(models.Model):
    """A step in a violation's timeline: a status change or a comment, by a person or the system.

    A comment has neither ``from_status`` nor ``to_status``. The system's own steps
    say why in ``reason`` (rendered in the reader's language), people's in ``note``.
    """

    class Reason(models.TextChoices):
        WAIVER_EXPIRED = "waiver_expired", _("Waiver expired")

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    # db_default: the set-based writers (INSERT ... SELECT) may leave these columns out.
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True, default="", db_default="")
    expires_on = models.DateField(_("waived until"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("violation event")
        verbose_name_plural = _("violation events")

    def __str__(self) -> str:
        return f"{self.violation_id}: {self.from_status} -> {self.to_status}"


class PendingEvaluation(models.Model):
    """A saved record still to be evaluated, written in the save's own transaction.

    The Celery task deletes it once done; if the broker was down when the record was
    saved, the row survives and the next sweep (or ``evaluate_rules``) picks it up, so
    no evaluation is ever lost.
    """

    record_kind = models.CharField(max_length=32)
    record_id = models.PositiveBigIntegerField()
    unit = models.ForeignKey("burden.Unit", on_delete=models.CASCADE, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record_kind", "record_id"], name="pending_once_per_record")]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.record_id}"


class TaskFailure(models.Model):
    """A background task that failed for good (after its retries), shown to admins until dealt with."""

    task = models.CharField(_("task"), max_length=200)
    arguments = models.TextField(_("arguments"), blank=True)
    error = models.TextField(_("error"))
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True)
    resolved = models.BooleanField(_("dealt with"), default=False)

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("failed background task")
        verbose_name_plural = _("failed background tasks")

    def __str__(self) -> str:
        return f"{self.task} @ {self.failed_at:%Y-%m-%d %H:%M}"


class RuleRun(ProgressMixin, models.Model):
    """One re-application of a rule after a change of its thresholds, on or off, or overrides.

    Created (queued) with the change, in its transaction; the task claims it, moves its
    progress on as the rule goes over the records (steps: each group of units read, each
    kind written) and stores the outcome, so the rule's page can show it (see
    ``burden.rules.runs``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    rule = models.CharField(_("rule"), max_length=32)
    change = models.ForeignKey(
        RuleChange, verbose_name=_("change"), on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    steps_total = models.PositiveIntegerField(_("steps"), default=0)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    findings = models.PositiveBigIntegerField(_("findings read"), default=0)
    opened = models.PositiveIntegerField(_("opened"), null=True, blank=True)
    cleared = models.PositiveIntegerField(_("cleared"), null=True, blank=True)
    reopened = models.PositiveIntegerField(_("reopened"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rule re-application")
        verbose_name_plural = _("rule re-applications")
        indexes = [models.Index(fields=["rule", "status"], name="rule_run_rule_status")]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.created_at:%Y-%m-%d %H:%M}"
