from django import forms
from django.utils.translation import gettext_lazy as _

from burden.record_forms import DatePicker, RecordForm

from .models import Extension, Secondment

DATE_INPUT = DatePicker()


class SecondmentForm(RecordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The shared unit fields, named for what they mean on a secondment.
        self.fields["unit"].label = _("Home unit")
        self.fields["unit"].help_text = _("The person's own unit.")
        self.fields["source_unit"].label = _("Borrowing unit")
        self.fields["source_unit"].help_text = _("The unit that borrowed the person: type a code or a name.")

    class Meta:
        model = Secondment
        fields = [
            "person_name",
            "host_name",
            "arrangement",
            "unit",
            "source_unit",
            "start_date",
            "planned_end_date",
            "returned_on",
            "approved_by",
            "approved_on",
            "hr_filed_on",
            "specially_approved",
            "trace_requirements",
            "notes",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "planned_end_date": DATE_INPUT,
            "returned_on": DATE_INPUT,
            "approved_on": DATE_INPUT,
            "hr_filed_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ExtensionForm(forms.ModelForm):
    """A new extension of one secondment; validated against the secondment's current end."""

    class Meta:
        model = Extension
        fields = ["new_end_date", "approved_by", "approved_on"]
        widgets = {"new_end_date": DATE_INPUT, "approved_on": DATE_INPUT}
