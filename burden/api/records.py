"""The serializer and viewset every record app's ``api.py`` declares from.

A record app writes only its fields and, where it needs one, its save: unit and
source unit by code, trace requirements, burden hours, the record's flags,
validation, history and rule evaluation are the same for all five kinds because
writes go through ``burden.services.record_save`` like the browser's. A record's
``version`` (and its ``ETag``) guards against lost updates (``burden.api.versions``).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.filters import OrderingFilter

from burden import scoping
from burden.api import strict
from burden.models import Violation, ViolationRecord
from burden.records import TraceRequirement
from burden.scoping import scope_for
from burden.services import record_delete, record_save

from . import versions
from .errors import as_drf_error
from .fields import UnitCodeField

RECORD_FIELDS = ["id", "unit", "source_unit", "trace_requirements", "notes", "external_id", "version"]
RECORD_READ_ONLY = ["burden_hours", "violations", "created_at", "updated_at"]


class ViolationBriefSerializer(strict.Serializer):
    rule = serializers.CharField()
    status = serializers.ChoiceField(choices=Violation.Status.choices)
    message = serializers.CharField()


class RecordSerializer(strict.ModelSerializer):
    """Fields every record has; subclasses add theirs to ``Meta.fields`` after ``RECORD_FIELDS``."""

    unit = UnitCodeField(min_role=scoping.STAFF, help_text=_("The unit that bore the burden."))
    source_unit = UnitCodeField(required=False, allow_null=True, help_text=_("The unit or department that imposed it."))
    trace_requirements = serializers.ListField(
        child=serializers.ChoiceField(choices=TraceRequirement.choices), required=False, max_length=3
    )
    burden_hours = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    violations = serializers.SerializerMethodField()
    version = versions.version_serializer_field()

    #: Set by ``update``: the version the write is based on, and how a stale one is answered.
    expected_version: int | None = None
    conflict = versions.VersionConflict

    @extend_schema_field(ViolationBriefSerializer(many=True))
    def get_violations(self, record) -> list[dict]:
        flags = getattr(record, "_api_violations", None)
        if flags is None:
            attach_violations([record])
            flags = record._api_violations
        return flags

    def validate_trace_requirements(self, value):
        return list(dict.fromkeys(value))

    def create(self, validated_data):
        validated_data.pop("version", None)  # a new record starts at 1
        return self.save_record(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        given = validated_data.pop("version", None)
        self.expected_version, self.conflict = versions.expected_version(self.context["request"], given)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.save_record(instance)

    def save_record(self, record):
        """Write through the service the browser uses; its errors become a 400 with nothing saved.

        A stale ``expected_version`` is a 409 (``version`` in the body) or 412 (``If-Match``).
        """
        try:
            with transaction.atomic(), versions.stale_as(self.conflict):
                return self.write(record)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        except DjangoPermissionDenied:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied from None

    def write(self, record):
        return record_save(record=record, user=self.context["request"].user, expected_version=self.expected_version)


def attach_violations(records) -> None:
    """Set each record's current flags (everything but cleared), its own and its groups', with two queries."""
    records = list(records)
    if not records:
        return
    kind = records[0].record_kind
    ids = [r.pk for r in records]
    by_record = defaultdict(list)
    flags = (
        Violation.objects.filter(
            Q(record_kind=kind, record_id__in=ids) | Q(members__record_kind=kind, members__record_id__in=ids)
        )
        .exclude(status=Violation.Status.CLEARED)
        .distinct()
        .only("record_id", "rule", "status", "details")
        .prefetch_related(Prefetch("members", queryset=ViolationRecord.objects.only("violation_id", "record_id")))
        .order_by("rule", "pk")
    )
    wanted = set(ids)
    for flag in flags:
        entry = {"rule": flag.rule, "status": flag.status, "message": flag.message}
        behind = {member.record_id for member in flag.members.all()} or {flag.record_id}
        for record_id in behind & wanted:
            by_record[record_id].append(entry)
    for record in records:
        record._api_violations = by_record.get(record.pk, [])


class CanRecord(permissions.BasePermission):
    """Reading is open to anyone signed in (the queryset is scoped); writing needs a role in some unit."""

    message = _("You have no unit to record burden for.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return not scope_for(request.user).is_empty


class RecordViewSet(versions.ETagMixin, viewsets.ModelViewSet):
    """List, read, create, change and delete one kind of record, in the caller's units only."""

    model = None
    filterset_class = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    permission_classes = [permissions.IsAuthenticated, CanRecord]
    filter_backends = [*viewsets.ModelViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["id", "burden_hours", "created_at", "updated_at"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            cls.ordering_fields = [*RecordViewSet.ordering_fields, cls.model.date_field]
            cls.queryset = cls.model.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        date = self.model.date_field
        return (
            self.model.objects.for_user(self.request.user)
            .select_related("unit", "source_unit", *self.select_related)
            .prefetch_related(*self.prefetch_related)
            .order_by(f"-{date}", "-pk")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_violations(page)
        return page

    def perform_destroy(self, instance):
        try:
            record_delete(record=instance, user=self.request.user)
        except DjangoPermissionDenied:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied from None


__all__ = ["RECORD_FIELDS", "RECORD_READ_ONLY", "RecordSerializer", "RecordViewSet"]
