import re

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from burden.record_forms import DatePicker, RecordForm

from .models import CatalogueItem, DataRequest, DataRequestItem
from .services import NO_ITEMS, data_request_save

DATE_INPUT = DatePicker()
ITEM_SEPARATORS = re.compile(r"[\r\n,，、]+")


def split_items(text: str) -> list[str]:
    """The items typed in one box: one a line, or separated by Chinese or English commas or 、."""
    return [item.strip() for item in ITEM_SEPARATORS.split(text or "") if item.strip()]


class CatalogueTextarea(forms.Textarea):
    """A textarea followed by the approved data list, to copy codes from."""

    suggestions_shown = 200

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 4, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        catalogue = list(CatalogueItem.objects.select_related("owner_unit")[: self.suggestions_shown + 1])
        context = {"catalogue": catalogue[: self.suggestions_shown], "more": len(catalogue) > self.suggestions_shown}
        return textarea + render_to_string("datarequests/catalogue_suggestions.html", context)


class ItemsField(forms.CharField):
    """The items of a request typed as text; cleaned to a list of catalogue codes or free-text names."""

    widget = CatalogueTextarea
    default_error_messages = {"required": NO_ITEMS}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Items asked"))
        kwargs.setdefault(
            "help_text",
            _(
                "One a line, or separated by commas or 、. A code from the approved data list links that item; "
                "anything else is recorded as free text."
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        return split_items(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        longest = DataRequestItem._meta.get_field("name").max_length
        for item in value:
            if len(item) > longest:
                raise forms.ValidationError(
                    _("An item has at most %(max)s characters; “%(item)s…” is longer.")
                    % {"max": longest, "item": item[:30]}
                )


class DataRequestForm(RecordForm):
    """A data request and its items; saved through ``data_request_save``."""

    items = ItemsField()

    field_order = ["title", "date", "unit", "source_unit", "kind", "items"]

    class Meta:
        model = DataRequest
        fields = [
            "title",
            "date",
            "unit",
            "source_unit",
            "kind",
            "frequency",
            "channel",
            "deadline",
            "approved_on",
            "filling_hours",
            "core_share_percent",
            "trace_requirements",
            "notes",
        ]
        widgets = {
            "date": DATE_INPUT,
            "deadline": DATE_INPUT,
            "approved_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("items", self.instance.item_values())

    def clean(self):
        cleaned_data = super().clean()
        if "items" in cleaned_data:
            # The live estimate and the model read the count before any item is saved.
            self.instance.item_count = len(cleaned_data["items"])
        return cleaned_data

    def save_record(self, *, user):
        return data_request_save(
            record=self.save(commit=False),
            items=self.cleaned_data["items"],
            user=user,
            expected_version=self.expected_version,
        )
