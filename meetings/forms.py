from django import forms

from burden.record_forms import DatePicker, RecordForm

from .models import Meeting


class MeetingForm(RecordForm):
    class Meta:
        model = Meeting
        fields = [
            "title",
            "date",
            "unit",
            "source_unit",
            "mode",
            "category",
            "duration_minutes",
            "travel_minutes",
            "attendees",
            "accompanying",
            "top_leader_required",
            "essential",
            "needs_decision_in_room",
            "trace_requirements",
            "notes",
        ]
        widgets = {
            "date": DatePicker(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
