"""Documents the unit received: kind, length, supplementary chains and deadlines."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from burden import costs
from burden.records import BaseRecord

#: Labels that hide a document: 白头, 便笺, a notice slip (the 2024 regulation, art. 1).
RELABELLED_LABELS = ("white_head", "memo", "other")
#: How far up a supplementary chain ``clean()`` looks for a loop (one query a step).
ANCESTOR_LIMIT = 50


def burden_hours_for_document(*, handling_minutes: int | None, default_minutes: Decimal) -> Decimal:
    """The handling time logged, or the kind's default when none was logged."""
    minutes = default_minutes if handling_minutes is None else Decimal(handling_minutes)
    return costs.hours(minutes / costs.MINUTES_PER_HOUR)


#: The most matters one document may bundle (多文合一 of more is a typing slip, not a document).
MAX_MATTERS = 50


class Document(BaseRecord):
    """A document a unit received and had to handle; ``source_unit`` is the issuer.

    Burden hours: the handling time logged (``handling_minutes``) or, when none was
    logged, the default minutes for the document's kind in ``CostParameters``.

    What the issuer called it (``labelled_as``: 红头, 白头, 便笺, 通知单...) changes
    nothing: it is a document for every rule and count (``relabelled()`` finds the ones
    whose label hides it). One document bundling several matters (多文合一) counts as
    its ``matters`` wherever documents are counted (``count_weight()``).
    """

    class Label(models.TextChoices):
        RED_HEAD = "red_head", _("Red-headed document")
        WHITE_HEAD = "white_head", _("White-headed document")
        MEMO = "memo", _("Memo")
        OTHER = "other", _("Other (notice slip and the like)")

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")
        FORWARDING = "forwarding", _("Forwarding only")
        SUPPLEMENTARY = "supplementary", _("Supplementary notice")
        OPINION = "opinion", _("Opinion")
        FEEDBACK_REQUEST = "feedback_request", _("Request for feedback")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(
        _("document number"), max_length=100, blank=True, help_text=_("The issuer's reference number, if any.")
    )
    received_on = models.DateField(_("received on"))
    kind = models.CharField(_("kind of document"), max_length=24, choices=Kind.choices, default=Kind.NOTICE)
    length_chars = models.PositiveIntegerField(
        _("length (characters)"), default=0, help_text=_("Characters of the body text, attachments excluded.")
    )
    pages = models.PositiveIntegerField(_("pages"), default=1)
    substantive = models.BooleanField(
        _("has substantive content"),
        default=True,
        help_text=_("Untick when the document asks or decides nothing of substance."),
    )
    has_local_content = models.BooleanField(
        _("local content added"),
        default=True,
        help_text=_("For a forwarded document: whether the forwarding unit added anything of its own."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supplements",
        help_text=_("For a supplementary notice: the document it supplements."),
    )
    response_deadline = models.DateField(
        _("response deadline"), null=True, blank=True, help_text=_("Leave empty when no response is required.")
    )
    handling_minutes = models.PositiveIntegerField(
        _("handling time (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the usual time for this kind of document."),
    )
    matter = models.CharField(
        _("matter"),
        max_length=100,
        blank=True,
        help_text=_(
            "What it is about, in a few words (flood control, work safety): documents from one issuer on one "
            "matter a few days apart could have been one."
        ),
    )
    labelled_as = models.CharField(
        _("issued as"),
        max_length=16,
        choices=Label.choices,
        default=Label.RED_HEAD,
        help_text=_("What the issuer called it. A white-headed document, a memo or a notice slip is still a document."),
    )
    matters = models.PositiveIntegerField(
        _("matters bundled"),
        default=1,
        # Each counts as a document in every count: a bound keeps one typing slip from outweighing a year.
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MATTERS)],
        help_text=_("How many matters this one document deals with; each counts as a document."),
    )
    special_task = models.BooleanField(
        _("deploys a special task"),
        default=False,
        help_text=_("Tick when it deploys a special or specific task: such a document is kept shorter."),
    )
    demands_report_back = models.BooleanField(
        _("demands a report back"),
        default=False,
        help_text=_("Tick when it asks for a report on its implementation or for supporting documents of our own."),
    )
    sets_veto_or_pledge = models.BooleanField(
        _("sets a veto or a pledge"),
        default=False,
        help_text=_(
            "Tick when it sets a one-vote veto, asks for a signed responsibility pledge or demands a "
            "model or standard-reaching campaign."
        ),
    )

    date_field = "received_on"
    record_kind = "document"

    class Meta(BaseRecord.Meta):
        ordering = ["-received_on", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["unit", "received_on"]),
            models.Index(fields=["source_unit", "received_on"]),
        ]
        constraints = [
            *BaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(response_deadline__isnull=True) | Q(response_deadline__gte=F("received_on")),
                name="document_deadline_not_before_receipt",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="document_not_its_own_parent"),
            models.CheckConstraint(condition=Q(matters__gte=1), name="document_matters_gte_1"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def recompute_default_hours(cls, old, new) -> int:
        """Documents without a logged handling time take their kind's new default (one UPDATE a kind)."""
        changed = 0
        for kind in cls.Kind.values:
            minutes = new.minutes_for_document(kind)
            if minutes != old.minutes_for_document(kind):
                hours = burden_hours_for_document(handling_minutes=None, default_minutes=minutes)
                changed += cls.objects.filter(kind=kind, handling_minutes__isnull=True).update(burden_hours=hours)
        return changed

    @classmethod
    def relabelled(cls):
        """Documents issued under a label that hides them: 白头, 便笺, a notice slip (2024 regulation, part 一)."""
        return Q(labelled_as__in=RELABELLED_LABELS)

    @classmethod
    def count_weight(cls):
        """A document counts as the matters it bundles (多文合一 does not halve a count)."""
        return F("matters")

    def get_absolute_url(self) -> str:
        return reverse("documents:document_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.matter = " ".join((self.matter or "").split())
        errors = {}
        if self.response_deadline and self.received_on and self.response_deadline < self.received_on:
            errors["response_deadline"] = _("The response deadline cannot be before the day the document arrived.")
        if self.parent_id is not None:
            if self.is_own_ancestor():
                errors["parent"] = _("A document cannot be its own ancestor.")
            elif self.unit_id is not None and self.parent.unit_id != self.unit_id:
                errors["parent"] = _("A document can only supplement a document received by the same unit.")
        if errors:
            raise ValidationError(errors)

    def is_own_ancestor(self) -> bool:
        """Whether following ``parent`` upwards comes back to this document (looks ``ANCESTOR_LIMIT`` steps up)."""
        if self.pk is None:
            return False  # nothing can point at a document not saved yet
        parent_id = self.parent_id
        for _step in range(ANCESTOR_LIMIT):
            if parent_id is None:
                return False
            if parent_id == self.pk:
                return True
            parent_id = Document.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        return False

    def compute_burden_hours(self, params):
        return burden_hours_for_document(
            handling_minutes=self.handling_minutes, default_minutes=params.minutes_for_document(self.kind)
        )
