"""``/api/v1/cases/``: cases (督办事项), their letters and timeline, and what people do with them.

Every case is read through ``Case.objects.for_user`` (outside it, a 404) and every write
goes through the services of ``burden.review.cases``, as the pages do: a
``PermissionDenied`` there is a 403 with its reason, a ``ValidationError`` a 400 keyed
by field (``burden.api.errors``), and nothing is written by a refused request.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from burden.models import Case, CaseEvent, CaseLetter, Unit, Violation
from burden.record_filters import UnitFilterMethods
from burden.review.cases import (
    CASE_MOVES,
    MINUTES_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    NOTICE_MAX_CASES,
    case_escalate,
    case_reply,
    case_transition,
    interview_minutes_record,
    notice_issue,
)

from . import strict
from .fields import UnitCodeField
from .serializers import rule_codes
from .views import ServiceWrites

MONTH_FORMAT = "%Y-%m"
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])", re.ASCII)
MONTH_SCHEMA = {"type": "string", "pattern": f"^{MONTH.pattern}$", "example": "2026-03"}


# --- Serializers ---------------------------------------------------------------------------


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A period by its first month, ``YYYY-MM`` (a quarter's case shows the quarter's first month)."""

    def to_representation(self, value):
        return value.strftime(MONTH_FORMAT)


class CaseSerializer(strict.ModelSerializer):
    """A case as the list shows it: who it is against, who owns it, where it stands, what is behind it."""

    source_unit = UnitCodeField(
        read_only=True, allow_null=True, help_text=_("The department the case is against; empty for a lone flag.")
    )
    owner_unit = UnitCodeField(
        read_only=True, allow_null=True, help_text=_("The supervising unit that owns the case and decides it.")
    )
    period = MonthField(read_only=True, help_text=_("The month (or the first month of the quarter) gathered."))
    flags = serializers.IntegerField(read_only=True, help_text=_("How many of its flags are open."))
    units = serializers.SerializerMethodField(
        help_text=_("Codes of the burdened units of its open flags, those the caller may see.")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "rule",
            "source_unit",
            "period",
            "status",
            "step",
            "deadline",
            "flags",
            "units",
            "hours",
            "owner_unit",
        ]
        read_only_fields = fields

    def get_units(self, case) -> list[str]:
        units = getattr(case, "_api_units", None)
        if units is None:
            attach_units([case], self.context["request"].user)
            units = case._api_units
        return units


class CaseLetterSerializer(strict.Serializer):
    """A numbered letter of one step of the ladder; an interview's carries its minutes once held."""

    id = serializers.IntegerField()
    step = serializers.ChoiceField(choices=Case.Step.choices)
    number = serializers.IntegerField(help_text=_("In the issuing unit's sequence for the step and year."))
    issuing_unit = serializers.CharField(
        source="issuing_unit.code", help_text=_("The code of the unit that issued it.")
    )
    issued_on = serializers.DateField()
    deadline = serializers.DateField(help_text=_("The day the department is to answer by."))
    interview_on = serializers.DateField(allow_null=True, help_text=_("An interview's day; null for other steps."))
    held_on = serializers.DateField(allow_null=True, help_text=_("The day the interview was held, once recorded."))
    minutes = serializers.CharField(help_text=_("The interview's minutes, once recorded; empty otherwise."))
    url = serializers.SerializerMethodField(help_text=_("The letter's page, to read or print it."))

    def get_url(self, letter) -> str:
        return self.context["request"].build_absolute_uri(reverse("review:case_letter", args=[letter.pk]))


class CaseDetailSerializer(CaseSerializer):
    """One case: the list's fields and the letter of each step it climbed."""

    letters = CaseLetterSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "letters"]
        read_only_fields = fields


class CaseEventSerializer(strict.Serializer):
    """A step in a case's timeline."""

    kind = serializers.ChoiceField(choices=CaseEvent.Kind.choices)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    step = serializers.CharField(help_text=_("The step of the ladder an escalation reached; empty otherwise."))
    actor = serializers.SerializerMethodField()
    note = serializers.CharField()
    measures = serializers.CharField()
    at = serializers.DateTimeField()
    letter = serializers.SerializerMethodField(help_text=_("The number of the letter an escalation issued."))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_letter(self, event) -> int | None:
        return event.letter.number if event.letter_id else None


def _note_field(help_text):
    return serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="", help_text=help_text
    )


class CaseReplySerializer(strict.Serializer):
    """The department's reply."""

    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, help_text=_("The rectification note: what the department did about it.")
    )
    measures = _note_field(_("The standing measures that keep it from happening again."))


class CaseEscalateSerializer(strict.Serializer):
    """The next step of the ladder; an interview needs its date."""

    note = _note_field(_("Why the case climbs the ladder; printed on the letter."))
    interview_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("The day of the interview: needed for that step.")
    )


class NoticeSerializer(strict.Serializer):
    """One circulated notice over several cases of one owner (several departments, too)."""

    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=NOTICE_MAX_CASES,
        help_text=_("The ids of the cases; each open, reminded already and owned by one unit."),
    )
    note = _note_field(_("Why the cases are circulated; printed on the notice."))


class NoticeIssuedSerializer(CaseLetterSerializer):
    """The notice issued, and the cases it names."""

    cases = serializers.SerializerMethodField()

    def get_cases(self, letter) -> list[int]:
        return sorted(case.pk for case in letter.cases.all())


class MinutesSerializer(strict.Serializer):
    """The minutes of the case's interview, once held."""

    held_on = serializers.DateField(help_text=_("The day the interview was held."))
    minutes = serializers.CharField(
        max_length=MINUTES_MAX_LENGTH, help_text=_("What was said and agreed; printed under the interview letter.")
    )


#: Where the owner may move a case.
TRANSITION_CHOICES = [(status.value, status.label) for status in CASE_MOVES]


class CaseTransitionSerializer(strict.Serializer):
    """The owner's decision; the case's flags move with it."""

    status = serializers.ChoiceField(choices=TRANSITION_CHOICES)
    note = _note_field(_("Needed to waive the case."))


# --- Reading -----------------------------------------------------------------------------------


def attach_units(cases, user) -> None:
    """Set each case's burdened units the ``user`` may see (of its open flags), one query for the lot."""
    cases = list(cases)
    by_case = defaultdict(list)
    if cases:
        rows = (
            Violation.objects.for_user(user)
            .filter(case__in=[case.pk for case in cases], status__in=Violation.OPEN_STATUSES)
            .values_list("case_id", "unit__code")
            .order_by("case_id", "unit__code")
            .distinct()
        )
        for case_id, code in rows:
            by_case[case_id].append(code)
    for case in cases:
        case._api_units = by_case.get(case.pk, [])


class MonthFormField(forms.Field):
    """``YYYY-MM`` exactly as the schema's pattern says (no spaces, ASCII digits), read as the month's first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not MONTH.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = value.split("-")
        if int(year) < 1:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(int(year), int(month), 1)


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class CaseFilterSet(UnitFilterMethods, django_filters.FilterSet):
    unit = django_filters.CharFilter(method="filter_unit", label=_("Burdened unit (code, with the units below it)"))
    source_unit = django_filters.CharFilter(method="filter_source_unit", label=_("Source unit (code)"))
    rule = django_filters.ChoiceFilter(choices=rule_codes)
    status = django_filters.MultipleChoiceFilter(choices=Case.Status.choices)
    step = django_filters.ChoiceFilter(choices=Case.Step.choices)
    period = MonthFilter(label=_("Period (YYYY-MM)"))

    class Meta:
        model = Case
        fields = ["unit", "source_unit", "rule", "status", "step", "period"]

    def filter_unit(self, queryset, name, value):
        """The cases with a flag the caller may see on the unit or below it."""
        code = value.strip().split()[0] if value.strip() else ""
        path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        flags = Violation.objects.for_user(self.request.user).filter(case=OuterRef("pk"), unit__path__startswith=path)
        return queryset.filter(Exists(flags))


class CaseViewSet(ServiceWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases the caller may see: supervisors those of their subtree, a department's staff those against it."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    queryset = Case.objects.none()

    def get_queryset(self):
        cases = Case.objects.for_user(self.request.user).select_related("source_unit", "owner_unit")
        if self.action != "list":
            cases = cases.prefetch_related(
                Prefetch(
                    "letters", queryset=CaseLetter.objects.select_related("issuing_unit").order_by("issued_on", "pk")
                )
            )
        return cases

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_units(page, self.request.user)
        return page

    def answer(self, case):
        """The case as it is after a write, read again through the gate."""
        return Response(
            CaseDetailSerializer(self.get_queryset().get(pk=case.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(responses=CaseEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The case's timeline: opened, replies, evidence, steps of the ladder, decisions; oldest first."""
        case = self.get_object()
        events = case.events.select_related("actor", "letter").order_by("at", "pk")
        return Response(CaseEventSerializer(events, many=True).data)

    @extend_schema(request=CaseReplySerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reply(self, request, pk=None):
        """The department's rectification note; the case becomes *replied*, for its owner to decide."""
        case = self.get_object()
        given = CaseReplySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        self.run(case_reply, case=case, user=request.user, **given.validated_data)
        return self.answer(case)

    @extend_schema(request=CaseEscalateSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def escalate(self, request, pk=None):
        """The owner's next step of the ladder (reminder, circulated notice, interview), with its numbered letter."""
        case = self.get_object()
        given = CaseEscalateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        self.run(case_escalate, case=case, user=request.user, **given.validated_data)
        return self.answer(case)

    @extend_schema(request=MinutesSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def minutes(self, request, pk=None):
        """The owner records (or corrects) the minutes of the case's interview once it is held."""
        case = self.get_object()
        given = MinutesSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        self.run(interview_minutes_record, case=case, user=request.user, **given.validated_data)
        return self.answer(case)

    @extend_schema(request=NoticeSerializer, responses={201: NoticeIssuedSerializer})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def notice(self, request):
        """One circulated notice (通报) for several reminded cases of one owner, each moved to the notice step."""
        given = NoticeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        wanted = set(given.validated_data["cases"])
        cases = list(self.get_queryset().filter(pk__in=wanted))
        missing = sorted(wanted - {case.pk for case in cases})
        if missing:
            raise serializers.ValidationError(
                {"cases": [_("No such case: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)}]}
            )
        letter = self.run(notice_issue, cases=cases, user=request.user, note=given.validated_data["note"])
        data = NoticeIssuedSerializer(letter, context=self.get_serializer_context()).data
        return Response(data, status=201)

    @extend_schema(request=CaseTransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, pk=None):
        """Accept the rectification (resolved), waive the case (a note is required) or reopen it; its flags move too."""
        case = self.get_object()
        given = CaseTransitionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        self.run(case_transition, case=case, user=request.user, **given.validated_data)
        return self.answer(case)
