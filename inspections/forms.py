from django import forms
from django.utils.translation import gettext_lazy as _

from burden.record_forms import DatePicker, RecordForm

from .models import Inspection, InspectionPlan


class InspectionForm(RecordForm):
    class Meta:
        model = Inspection
        fields = [
            "title",
            "date",
            "unit",
            "source_unit",
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
            "trace_requirements",
            "notes",
        ]
        widgets = {
            "date": DatePicker(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["source_unit"].label = _("Inspecting unit")
        self.fields["source_unit"].help_text = _("The unit or department that inspected: type a code or a name.")
        # Plans are public: any inspecting unit's approved plan may be named.
        self.fields["plan"].queryset = InspectionPlan.objects.select_related("inspecting_unit")
