from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from burden.record_forms import DatePicker, RecordForm

from .models import Document

#: How many of the newest visible documents the "parent document" select offers.
PARENT_CHOICES = 200


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title}" if obj.number else obj.title


class DocumentForm(RecordForm):
    class Meta:
        model = Document
        fields = [
            "title",
            "number",
            "received_on",
            "unit",
            "source_unit",
            "kind",
            "parent",
            "length_chars",
            "pages",
            "substantive",
            "has_local_content",
            "response_deadline",
            "handling_minutes",
            "trace_requirements",
            "notes",
        ]
        field_classes = {"parent": DocumentChoiceField}
        widgets = {
            "received_on": DatePicker(),
            "response_deadline": DatePicker(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["source_unit"].label = _("Issuer")
        self.fields["source_unit"].help_text = _("The unit or department that issued the document.")
        self.fields["parent"].queryset = self.parent_choices(user)

    def parent_choices(self, user):
        """The newest documents ``user`` can see, plus the current parent: a plain select stays short."""
        newest = Document.objects.for_user(user).order_by("-received_on", "-pk")
        if self.instance.pk is not None:
            newest = newest.exclude(pk=self.instance.pk)
        wanted = Q(pk__in=newest.values("pk")[:PARENT_CHOICES])
        if self.instance.parent_id is not None:
            wanted |= Q(pk=self.instance.parent_id)
        return Document.objects.filter(wanted).order_by("-received_on", "-pk")
