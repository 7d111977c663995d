"""The review's own tables: deadlines per severity, and each person's notification preferences.

Imported by ``burden.models`` so that they belong to the ``burden`` app.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import scoping
from ..rules.models import Violation

DEFAULT_DAYS = {"low": 30, "medium": 14, "high": 7}


def _days_field(label, severity: str):
    return models.PositiveSmallIntegerField(
        label,
        default=DEFAULT_DAYS[severity],
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Days from when a flag is first seen until it should be resolved."),
    )


class ReviewDeadlines(models.Model):
    """Days to resolve a flag, by its severity; one row, edited by admins, every change in its history.

    A flag that is still open or acknowledged after its deadline (the day it was first
    seen plus these days) is overdue. Nothing is stored per flag: the deadline is
    computed in SQL when read, so a change here applies to every flag at once.
    """

    days_low = _days_field(_("days to resolve a low-severity flag"), "low")
    days_medium = _days_field(_("days to resolve a medium-severity flag"), "medium")
    days_high = _days_field(_("days to resolve a high-severity flag"), "high")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The reason is part of the audit and may be long: a text column, not the default 100 characters.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("review deadlines")
        verbose_name_plural = _("review deadlines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_low__gte=1, days_medium__gte=1, days_high__gte=1),
                name="review_deadlines_at_least_one_day",
            )
        ]

    def __str__(self) -> str:
        return str(_("Review deadlines"))

    @classmethod
    def current(cls) -> ReviewDeadlines:
        """The one row, or the defaults (unsaved) until an admin first changes them; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def days(self) -> dict[str, int]:
        """Days to resolve, by severity."""
        return {"low": self.days_low, "medium": self.days_medium, "high": self.days_high}

    def due_on(self, violation) -> datetime.date:
        """The day by which ``violation`` should be resolved (for display; filters use SQL)."""
        from django.utils import timezone

        first_seen = timezone.localdate(violation.first_seen)
        return first_seen + datetime.timedelta(days=self.days.get(violation.severity, DEFAULT_DAYS["medium"]))


class NotificationPreference(models.Model):
    """What one person wants to hear about, in which language, and when they last looked.

    Without a row a person gets every notification in the bell and no e-mail.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="review_preferences",
    )
    notify_new_flags = models.BooleanField(_("new cases, replies, letters and outcomes"), default=True)
    notify_expiring_waivers = models.BooleanField(_("waivers expiring within 7 days"), default=True)
    notify_overdue = models.BooleanField(_("overdue cases"), default=True)
    notify_deadlines = models.BooleanField(_("cases due in 7 days and in 1 day"), default=True)
    email_digest = models.BooleanField(
        _("send me a daily e-mail digest"), default=False, help_text=_("Sent in the morning when there is news.")
    )
    language = models.CharField(
        _("language of my e-mails"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    last_seen_at = models.DateTimeField(_("notifications last seen"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def wanted(self) -> set[str]:
        """The notification categories this person wants (see ``burden.review.selectors``)."""
        flags = {
            "new": self.notify_new_flags,
            "expiring": self.notify_expiring_waivers,
            "overdue": self.notify_overdue,
            "due_soon": self.notify_deadlines,
        }
        return {category for category, wanted in flags.items() if wanted}


class CasePolicy(models.Model):
    """How open flags are gathered into cases, and the days each step of a case allows.

    One row, edited by admins, every change in its history (who, when, why). Without
    the row the defaults apply: one case per source department, rule and month; 15
    days to reply, 10 after a reminder, 10 after a circulated notice, 15 after an
    interview.
    """

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    period = models.CharField(_("gather the flags of one"), max_length=8, choices=Period.choices, default=Period.MONTH)
    by_rule = models.BooleanField(
        _("one case per rule"),
        default=True,
        help_text=_("Off: a department's flags of a period make one case whatever rules they break."),
    )
    reply_days = models.PositiveSmallIntegerField(
        _("days to reply to a new case"), default=15, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days to reply after a reminder"), default=10, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    notice_days = models.PositiveSmallIntegerField(
        _("days to reply after a circulated notice"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    interview_days = models.PositiveSmallIntegerField(
        _("days to rectify after an interview"), default=15, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("case policy")
        verbose_name_plural = _("case policy")

    def __str__(self) -> str:
        return str(_("Case policy"))

    @classmethod
    def current(cls) -> CasePolicy:
        """The one row, or the defaults (unsaved) until an admin first changes them; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def step_days(self, step: str) -> int:
        return {
            Case.Step.NONE: self.reply_days,
            Case.Step.REMINDER: self.reminder_days,
            Case.Step.NOTICE: self.notice_days,
            Case.Step.INTERVIEW: self.interview_days,
        }[step]


class CaseQuerySet(models.QuerySet):
    def for_user(self, user) -> CaseQuerySet:
        """The cases ``user`` may see, the one gate for cases; none for strangers.

        Supervisors see the cases their subtree owns, and the cases with a flag on a unit
        of their subtree (a street supervisor sees the district's case its communities
        feed); a department's staff see the cases against it; a unit's staff see the
        cases its burden feeds. Superusers see all.
        """
        scope = scoping.scope_for(user)
        if scope.is_empty:
            return self.none()
        if scope.everything:
            return self
        feeds = Violation.objects.filter(case=models.OuterRef("pk")).filter(scope.q("unit"))
        return self.filter(
            scope.q("owner_unit", scoping.SUPERVISOR) | scope.q("source_unit") | models.Q(models.Exists(feeds))
        )

    def active(self) -> CaseQuerySet:
        return self.filter(status__in=Case.ACTIVE_STATUSES)


class Case(models.Model):
    """A 督办事项: open flags of one source department, rule and period, sent to it to rectify.

    Gathered by the system (``burden.review.cases.cases_gather``); a flag with no source
    unit is a case of its own (``key``: ``flag-<id>``). Assigned to ``source_unit``,
    whose staff reply; owned by ``owner_unit``, the nearest unit whose subtree holds
    both the burdened units and the department, whose supervisors accept the reply,
    waive the case or climb the ladder (``step``). ``flags``, ``units`` and ``hours``
    are what is behind it now, kept by the gathering.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPLIED = "replied", _("Replied")
        RESOLVED = "resolved", _("Resolved")
        WAIVED = "waived", _("Waived")
        CLOSED = "closed", _("Closed")

    class Step(models.TextChoices):
        NONE = "none", _("No step yet")
        REMINDER = "reminder", _("Reminder")
        NOTICE = "notice", _("Circulated notice")
        INTERVIEW = "interview", _("Interview")

    ACTIVE_STATUSES = (Status.OPEN, Status.REPLIED)
    LADDER = (Step.NONE, Step.REMINDER, Step.NOTICE, Step.INTERVIEW)

    rule = models.CharField(_("rule"), max_length=32, blank=True)
    source_unit = models.ForeignKey(
        "burden.Unit", verbose_name=_("source unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month (or quarter) gathered."))
    key = models.CharField(_("key"), max_length=32, blank=True, default="")
    owner_unit = models.ForeignKey(
        "burden.Unit", verbose_name=_("owner unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    step = models.CharField(_("step"), max_length=16, choices=Step.choices, default=Step.NONE)
    severity = models.CharField(_("severity"), max_length=8, default="medium")
    deadline = models.DateField(_("deadline"))
    flags = models.PositiveIntegerField(_("open flags"), default=0)
    units = models.PositiveIntegerField(_("burdened units"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=14, decimal_places=2, default=0)
    # severity rank x hours, for the queue's order; kept with the numbers above.
    weight = models.DecimalField(max_digits=16, decimal_places=2, default=0, db_index=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-weight", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # New flags join the one active case of their department, rule and period.
            models.UniqueConstraint(
                fields=["rule", "source_unit", "period", "key"],
                condition=models.Q(status__in=["open", "replied"]),
                name="case_one_active_per_group",
            ),
        ]
        indexes = [
            models.Index(fields=["source_unit", "status"], name="case_source_status"),
            models.Index(fields=["owner_unit", "status"], name="case_owner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rule or '*'} · {self.period:%Y-%m} · {self.source_unit_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def next_step(self) -> str | None:
        index = self.LADDER.index(self.step)
        return self.LADDER[index + 1] if index + 1 < len(self.LADDER) else None

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_active and self.status == self.Status.OPEN and self.deadline < timezone.localdate()

    @property
    def rule_title(self) -> str:
        from ..rules.base import rule_title

        return rule_title(self.rule) if self.rule else str(_("Several rules"))


class CaseLetter(models.Model):
    """A numbered letter of one step of the ladder: a reminder, a circulated notice or an interview notice.

    Issued by the owner unit to the department; a circulated notice may bundle several
    cases (and departments). The text is drawn when read, in the reader's language,
    from these facts and the cases' evidence, so it prints alike in either language.
    """

    step = models.CharField(_("step"), max_length=16, choices=Case.Step.choices)
    number = models.PositiveIntegerField(_("number"))
    year = models.PositiveSmallIntegerField(_("year"))
    issuing_unit = models.ForeignKey(
        "burden.Unit", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), related_name="letters")
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("reply by"))
    interview_on = models.DateField(_("interview on"), null=True, blank=True)
    note = models.TextField(_("why"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # An interview's minutes (约谈记录), recorded by the owner once it is held; corrected in place, each
    # version kept in the case's timeline.
    held_on = models.DateField(_("held on"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, default="", db_default="")
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("case letter")
        verbose_name_plural = _("case letters")
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "step", "year", "number"], name="case_letter_number_once")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The letter's number as printed: issuer, step, year and sequence (``JC-DH · reminder 2026-3``)."""
        return f"{self.issuing_unit.code} · {self.get_step_display()} {self.year}-{self.number}"


class CaseEvent(models.Model):
    """A step in a case's timeline: opened, a flag joined, a reply, evidence, a step of the ladder, a decision."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        REPLY = "reply", _("Rectification reply")
        EVIDENCE = "evidence", _("Evidence added")
        STEP = "step", _("Escalated")
        TRANSITION = "transition", _("Decision")
        MINUTES = "minutes", _("Interview minutes")
        CLOSED = "closed", _("Closed: every flag cleared")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    step = models.CharField(_("step"), max_length=16, blank=True)
    letter = models.ForeignKey(CaseLetter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    # A reply's standing measures (整改措施), apart from what it says was found and done.
    measures = models.TextField(_("measures"), blank=True, default="", db_default="")
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"
