"""Inspections and inspection plans in the REST API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from burden import scoping
from burden.api import strict
from burden.api.fields import UnitCodeField
from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet
from burden.api.views import OwnedListViewSet

from .filters import InspectionFilterSet
from .models import Inspection, InspectionPlan


class InspectionSerializer(RecordSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=InspectionPlan.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Inspection
        fields = [
            *RECORD_FIELDS,
            "title",
            "date",
            "purpose",
            "unannounced",
            "plan",
            "emergency",
            "comprehensive",
            "principal_required",
            "tables_demanded",
            "reports_demanded",
            "data_already_held",
            "staff_involved",
            "preparation_hours",
            "onsite_hours",
            *RECORD_READ_ONLY,
        ]


class InspectionViewSet(RecordViewSet):
    model = Inspection
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    select_related = ("plan",)


class InspectionPlanSerializer(strict.ModelSerializer):
    inspecting_unit = UnitCodeField(min_role=scoping.ADMIN, help_text=_("Code of the unit that inspects."))

    class Meta:
        model = InspectionPlan
        fields = ["id", "inspecting_unit", "year", "approved_on", "quota", "notes"]


class InspectionPlanViewSet(OwnedListViewSet):
    """Approved inspection plans: everyone reads them; admins of the inspecting unit write."""

    owner_field = "inspecting_unit"
    serializer_class = InspectionPlanSerializer
    queryset = InspectionPlan.objects.select_related("inspecting_unit").order_by("-year", "inspecting_unit__path")
    filterset_fields = ["year"]


ROUTES = [
    ("inspections", InspectionViewSet, "inspection"),
    ("inspection-plans", InspectionPlanViewSet, "inspection-plan"),
]
