from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from burden.record_forms import DatePicker, Fold, RecordForm

from .models import Document

#: How many of the newest visible documents the "parent document" select offers.
PARENT_CHOICES = 200


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title}" if obj.number else obj.title


class DocumentForm(RecordForm):
    # DOC-EMPTY and DOC-FORWARD read these: asked, not ticked in advance.
    questions = ("substantive", "has_local_content")
    folds = (
        Fold(
            _("How it was issued and what it demands"),
            ("labelled_as", "matters", "special_task", "demands_report_back", "sets_veto_or_pledge"),
            _(
                "Most documents keep these as they are. A memo or a white-headed document still counts as a "
                "document, and one bundling several matters counts as each."
            ),
        ),
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "matter",
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
            "labelled_as",
            "matters",
            "special_task",
            "demands_report_back",
            "sets_veto_or_pledge",
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
        # Folded fields with defaults: a post that leaves them out (an older page, a script)
        # keeps the defaults rather than failing.
        for name in ("labelled_as", "matters"):
            self.fields[name].required = False
        self.fields["substantive"].help_text = _("Does it ask or decide anything of substance? Answer from its text.")
        # Only a forwarded document is asked whether it adds anything of the forwarding unit's own.
        self.fields["has_local_content"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_local_content") is None:
            if cleaned.get("kind") == Document.Kind.FORWARDING:
                self.add_error("has_local_content", _("Say whether the forwarding unit added anything of its own."))
            else:
                cleaned["has_local_content"] = True
        return cleaned

    def clean_labelled_as(self):
        return self.cleaned_data.get("labelled_as") or Document.Label.RED_HEAD

    def clean_matters(self):
        matters = self.cleaned_data.get("matters")
        return 1 if matters is None else matters

    def parent_choices(self, user):
        """The newest documents ``user`` can see, plus the current parent: a plain select stays short."""
        newest = Document.objects.for_user(user).order_by("-received_on", "-pk")
        if self.instance.pk is not None:
            newest = newest.exclude(pk=self.instance.pk)
        wanted = Q(pk__in=newest.values("pk")[:PARENT_CHOICES])
        if self.instance.parent_id is not None:
            wanted |= Q(pk=self.instance.parent_id)
        return Document.objects.filter(wanted).order_by("-received_on", "-pk")
