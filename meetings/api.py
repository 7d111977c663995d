"""Meetings in the REST API: fields only; the rest is the shared record API."""

from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet

from .filters import MeetingFilterSet
from .models import Meeting


class MeetingSerializer(RecordSerializer):
    class Meta:
        model = Meeting
        fields = [
            *RECORD_FIELDS,
            "title",
            "date",
            "duration_minutes",
            "mode",
            "category",
            "attendees",
            "accompanying",
            "travel_minutes",
            "top_leader_required",
            "essential",
            "needs_decision_in_room",
            "comprehensive",
            "called_by_deputy",
            "principal_speech_minutes",
            *RECORD_READ_ONLY,
        ]


class MeetingViewSet(RecordViewSet):
    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet


ROUTES = [("meetings", MeetingViewSet, "meeting")]
