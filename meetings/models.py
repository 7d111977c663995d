"""Meetings the unit was called to: how long, how many people it sent, in what form."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from burden import costs
from burden.records import BaseRecord


def burden_hours_for_meeting(*, duration_minutes: int, travel_minutes: int, attendees: int) -> Decimal:
    """(meeting length + travel) x the people the unit sent."""
    return costs.hours(
        Decimal((duration_minutes or 0) + (travel_minutes or 0)) * (attendees or 0) / costs.MINUTES_PER_HOUR
    )


class Meeting(BaseRecord):
    """A meeting a unit had to attend; ``source_unit`` is the organizer.

    Burden hours: (duration + travel) x the people the unit sent (``attendees``, which
    includes the ``accompanying`` attendees who had no role in the meeting).
    """

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Category(models.TextChoices):
        DEPLOYMENT = "deployment", _("Work deployment")
        STUDY_TRANSMISSION = "study_transmission", _("Study and transmission")
        NOTIFICATION = "notification", _("Notification")
        COORDINATION = "coordination", _("Coordination")
        TRAINING = "training", _("Training")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(1)]
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, default=Category.DEPLOYMENT)
    attendees = models.PositiveIntegerField(
        _("people sent"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Everyone the unit sent, accompanying attendees included."),
    )
    accompanying = models.PositiveIntegerField(
        _("accompanying attendees"),
        default=0,
        help_text=_("People sent only to accompany, with no role in the meeting."),
    )
    travel_minutes = models.PositiveIntegerField(
        _("travel (minutes)"), default=0, help_text=_("Round trip, per person.")
    )
    top_leader_required = models.BooleanField(_("top leader required"), default=False)
    essential = models.BooleanField(
        _("essential"), default=False, help_text=_("Marked essential by the organizer, so the top leader must attend.")
    )
    needs_decision_in_room = models.BooleanField(
        _("decision needs a room"), default=False, help_text=_("A decision that could not be taken online.")
    )
    comprehensive = models.BooleanField(
        _("comprehensive work meeting"),
        default=False,
        help_text=_("Tick for the organizer's comprehensive work meeting of its system or field (held once a year)."),
    )
    called_by_deputy = models.BooleanField(
        _("called by a deputy leader"),
        default=False,
        help_text=_("Tick when the leader in charge of the field, not the principal one, called it."),
    )
    principal_speech_minutes = models.PositiveIntegerField(
        _("principal speech (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long the principal leader's speech or the main report lasted; leave empty if unknown."),
    )

    record_kind = "meeting"

    class Meta(BaseRecord.Meta):
        ordering = ["-date", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["source_unit", "date"])]
        constraints = [
            *BaseRecord.Meta.constraints,
            models.CheckConstraint(condition=Q(accompanying__lte=F("attendees")), name="meeting_accompanying_lte_sent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.accompanying is not None and self.attendees is not None and self.accompanying > self.attendees:
            errors["accompanying"] = _("Accompanying attendees cannot outnumber the people sent (%(sent)s).") % {
                "sent": self.attendees
            }
        speech, duration = self.principal_speech_minutes, self.duration_minutes
        if speech is not None and duration is not None and speech > duration:
            errors["principal_speech_minutes"] = _(
                "The speech cannot last longer than the meeting (%(minutes)s minutes)."
            ) % {"minutes": duration}
        if errors:
            raise ValidationError(errors)

    def compute_burden_hours(self, params):
        return burden_hours_for_meeting(
            duration_minutes=self.duration_minutes, travel_minutes=self.travel_minutes, attendees=self.attendees
        )
