"""Work apps and groups in the REST API: fields only; the rest is the shared record API.

``demands`` is a list of codes (``Demand``), stored as one comma-separated column so
that rules filter it in SQL on every database.
"""

from rest_framework import serializers

from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet

from .filters import WorkAppFilterSet
from .models import Demand, WorkApp


class WorkAppSerializer(RecordSerializer):
    demands = serializers.ListField(
        child=serializers.ChoiceField(choices=Demand.choices), required=False, max_length=len(Demand.choices)
    )

    class Meta:
        model = WorkApp
        fields = [
            *RECORD_FIELDS,
            "name",
            "app_kind",
            "start_date",
            "end_date",
            "people_required",
            "minutes_per_day",
            "demands",
            "security_or_emergency",
            "matter",
            "matter_ended_on",
            *RECORD_READ_ONLY,
        ]

    def validate_demands(self, value):
        return list(dict.fromkeys(value))


class WorkAppViewSet(RecordViewSet):
    model = WorkApp
    serializer_class = WorkAppSerializer
    filterset_class = WorkAppFilterSet


ROUTES = [("work-apps", WorkAppViewSet, "work-app")]
