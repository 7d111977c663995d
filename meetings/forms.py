from django import forms
from django.utils.translation import gettext_lazy as _

from burden.record_forms import DatePicker, Fold, RecordForm

from .models import Meeting


class MeetingForm(RecordForm):
    folds = (
        Fold(
            _("Who called it and how long the principal spoke"),
            ("comprehensive", "called_by_deputy", "principal_speech_minutes"),
            _("Fill in when you know: a deputy leader's meeting or a long speech is checked against the 2024 rules."),
        ),
    )

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
            "comprehensive",
            "called_by_deputy",
            "principal_speech_minutes",
            "trace_requirements",
            "notes",
        ]
        widgets = {
            "date": DatePicker(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
