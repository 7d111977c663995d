"""Core models: people, the unit tree, who belongs where with which role, and cost parameters."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import scoping
from .concurrency import QuietHistory, Versioned
from .scoping import ScopedQuerySet

PATH_SEPARATOR = "/"


class User(Versioned, AbstractUser):
    """A person who signs in. What they may see and do comes from their memberships.

    Versioned, so two admins changing one person cannot overwrite each other; the
    history (without the password hash or sign-in stamps) says who changed what.
    """

    # Until a person is given a seat, only superusers and the admin who created them manage them.
    created_by = models.ForeignKey(
        "self",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # A sign-in only stamps last_login: no history row, and no version for it (see QuietHistory).
    history = QuietHistory(excluded_fields=["password", "last_login"])
    version_ignored_fields = frozenset({"password", "last_login"})

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")


class UnitQuerySet(ScopedQuerySet):
    unit_field = ""

    def subtree(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and every unit below it: one indexed prefix query on ``path``."""
        return self.filter(path__startswith=unit.path)

    def options(self, limit: int = 500):
        """(code, name, English name) of these units in the tree's order, at most ``limit``: a unit picker's list."""
        return self.order_by("path").values_list("code", "name", "name_en")[:limit]

    def meant_by(self, text: str, limit: int = 6) -> list["Unit"]:
        """The units of these a person means by ``text``, at most ``limit``, in the tree's order.

        A code, or a suggestion's "CODE name", is that one unit; otherwise every unit of
        that name (Chinese exactly, English in any case) — one when the name is unique.
        """
        text = (text or "").strip()
        if not text:
            return []
        first_word = text.split(maxsplit=1)[0]
        by_code = {unit.code: unit for unit in self.filter(code__in={text, first_word})}
        for code in (text, first_word):
            if code in by_code:
                return [by_code[code]]
        return list(self.filter(models.Q(name=text) | models.Q(name_en__iexact=text)).order_by("path")[:limit])


class Unit(Versioned):
    """A node of the one organisational tree: city, district, street, community, department.

    Upper-level departments are units too, so every record names the unit that bore the
    burden and the unit that imposed it. ``path`` is a materialized path of codes
    (``/JC/DH/DH-BJ/``) kept by ``save()``; a subtree is a ``path LIKE 'prefix%'`` query.
    """

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        STREET = "street", _("Street / township")
        COMMUNITY = "community", _("Community / village")
        DEPARTMENT = "department", _("Department / bureau")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_.-]+$",
                _("Use only letters, digits, dots, hyphens and underscores."),
            )
        ],
        help_text=_("The unit's key everywhere: imports, exports and the API."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(
        _("English name"), max_length=200, blank=True, help_text=_("Shown on English pages; optional.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    headcount = models.PositiveIntegerField(_("headcount"), default=0, help_text=_("Staff on the unit's books."))
    is_grassroots = models.BooleanField(_("grassroots"), default=False)
    path = models.CharField(max_length=512, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        """Keep ``path`` and ``depth`` current; a move or re-code rewrites the subtree in one UPDATE."""
        old_path = self.path
        self.path = self.build_path()
        self.depth = self.path.count(PATH_SEPARATOR) - 2
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + (self.path.count(PATH_SEPARATOR) - old_path.count(PATH_SEPARATOR)),
                )

    def get_absolute_url(self) -> str:
        return reverse("unit_detail", args=[self.code])

    def clean(self):
        super().clean()
        if self.parent_id and self.pk:
            parent = self.parent
            if parent.pk == self.pk or (self.path and parent.path.startswith(self.path)):
                raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own units.")})

    @property
    def label(self) -> str:
        """The name in the page's language, falling back to the Chinese name."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else PATH_SEPARATOR
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to the parent, read from the path without a query."""
        return [code for code in self.path.split(PATH_SEPARATOR) if code][:-1]


class Membership(models.Model):
    """A person's role in a unit.

    Staff see and log for their own unit; a supervisor sees the unit's whole subtree and
    reviews its flags; an admin does what a supervisor does and also configures it.
    """

    class Role(models.TextChoices):
        STAFF = scoping.STAFF, _("Staff")
        SUPERVISOR = scoping.SUPERVISOR, _("Supervisor")
        ADMIN = scoping.ADMIN, _("Admin")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


def default_document_minutes() -> dict:
    return {
        "notice": 30,
        "forwarding": 15,
        "supplementary": 20,
        "opinion": 45,
        "feedback_request": 60,
        "other": 30,
    }


def default_tariffs() -> dict:
    # Yuan per hour of a grassroots worker's time, by the level of the unit that bears it.
    return {"city": 120, "district": 100, "street": 80, "community": 60, "department": 100, "other": 80}


class CostParameters(models.Model):
    """The Standard Cost Model's defaults and tariffs; one row, edited by admins.

    A change recomputes the stored burden hours of every record that relies on a
    default (see ``burden.services.cost_parameters_update``); the money figure is
    hours x tariff at read time, so tariffs need no recomputation.
    """

    document_minutes = models.JSONField(
        _("minutes per document, by kind"),
        default=default_document_minutes,
        help_text=_("Used when a document's handling time is not logged."),
    )
    minutes_per_data_item = models.DecimalField(
        _("minutes per data item"),
        max_digits=6,
        decimal_places=1,
        default=15,
        help_text=_("Used when a data request's filling time is not logged."),
    )
    hours_per_working_day = models.DecimalField(_("hours per working day"), max_digits=4, decimal_places=1, default=8)
    hourly_tariffs = models.JSONField(_("hourly tariff by unit level (yuan)"), default=default_tariffs)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost parameters")
        verbose_name_plural = _("cost parameters")
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes_per_data_item__gte=0), name="cost_item_minutes_gte_0"),
            models.CheckConstraint(
                condition=models.Q(hours_per_working_day__gt=0, hours_per_working_day__lte=24),
                name="cost_hours_per_day_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Cost parameters"))

    @classmethod
    def current(cls) -> "CostParameters":
        """The one row, created with the defaults on first use."""
        params, _created = cls.objects.get_or_create(pk=1)
        return params

    def minutes_for_document(self, kind: str) -> Decimal:
        return Decimal(str(self.document_minutes.get(kind, default_document_minutes().get(kind, 30))))

    def tariff_for(self, level: str) -> Decimal:
        return Decimal(str(self.hourly_tariffs.get(level, default_tariffs().get(level, 0))))


class ImportJob(models.Model):
    """One upload of a ledger file, imported in the background with its progress and outcome.

    While it runs, progress lives in the cache (see ``burden.ledger.jobs``) because
    the rows are written inside one transaction that others cannot see into; the
    outcome is stored here when it ends.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing was saved")
        FAILED = "failed", _("Failed: nothing was saved")

    kind = models.CharField(_("kind of record"), max_length=64)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    user = models.ForeignKey(User, verbose_name=_("imported by"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(
        _("language"), max_length=16, default="zh-hans", help_text=_("Errors are written in the uploader's language.")
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")

    def __str__(self) -> str:
        return self.original_name

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)


# Tables kept in modules of their own; importing them here registers them with this app:
# the roll-ups the dashboards read and reduction targets (burden.insights), the review's
# deadlines and notification preferences (burden.review), and the rules engine's tables.
from .auth_models import ApiToken, SignInAttempt  # noqa: E402, F401
from .insights.models import (  # noqa: E402, F401
    FlagRollup,
    IncreaseExplanation,
    MonthlyRollup,
    ReductionTarget,
    WorkingDay,
)
from .review.models import (  # noqa: E402, F401
    Case,
    CaseEvent,
    CaseLetter,
    CasePolicy,
    NotificationPreference,
    ReviewDeadlines,
)
from .rules.models import (  # noqa: E402, F401
    PendingEvaluation,
    RuleChange,
    RuleOverride,
    RuleRun,
    RuleSetting,
    TaskFailure,
    Violation,
    ViolationEvent,
    ViolationRecord,
)
