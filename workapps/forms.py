from django import forms
from django.utils import timezone

from burden.record_forms import DatePicker, RecordForm

from .models import WorkApp

DATE_INPUT = DatePicker()


class WorkAppForm(RecordForm):
    """Short enough to fill in on a phone: a name, the unit, the source, the start and the demands.

    Everything else has a default (a work group, one person, ten minutes a day, still required).
    """

    wide_fields = ("name", "demands", "matter", "notes", "trace_requirements")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("start_date", timezone.localdate())

    class Meta:
        model = WorkApp
        fields = [
            "name",
            "app_kind",
            "unit",
            "source_unit",
            "demands",
            "start_date",
            "end_date",
            "people_required",
            "minutes_per_day",
            "security_or_emergency",
            "matter",
            "matter_ended_on",
            "trace_requirements",
            "notes",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "matter_ended_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
