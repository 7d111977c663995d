"""The form every record app's form builds on."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .concurrency import version_field
from .models import Unit
from .services import record_save, writable_units

#: Levels offered in the "source unit" suggestions: the ones that send work down.
SOURCE_LEVELS = [
    Unit.Level.CITY,
    Unit.Level.DISTRICT,
    Unit.Level.STREET,
    Unit.Level.DEPARTMENT,
    Unit.Level.OTHER,
]


class DatePicker(forms.DateInput):
    """The browser's date picker; it only reads ISO dates, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UnitCodeField(forms.ModelChoiceField):
    """A unit typed or picked by its code, with the names offered as suggestions (a datalist)."""

    default_error_messages = {
        "invalid_choice": _("There is no unit with this code. Pick one from the suggestions."),
    }

    def __init__(self, *, datalist_id: str, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": datalist_id, "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A bound instance gives the unit's id; the input shows (and posts back) its code.
        if isinstance(value, int):
            return Unit.objects.filter(pk=value).values_list("code", flat=True).first() or value
        return super().prepare_value(value)

    def to_python(self, value):
        # A suggestion may arrive as "CODE name"; the code is the first word.
        if isinstance(value, str) and value.strip():
            value = value.strip().split()[0]
        return super().to_python(value)


class RecordForm(forms.ModelForm):
    """Scopes the unit choices to the user's units and preselects the only one.

    Carries the record's version as a hidden field, so a save from a page that
    someone else's save has overtaken is refused (``StaleWrite``) instead of undoing theirs.
    """

    version = version_field()

    #: Fields that take the form's whole width (a title, notes, a set of check boxes).
    wide_fields: tuple[str, ...] = ("title", "notes", "trace_requirements")

    source_unit = UnitCodeField(
        queryset=Unit.objects.all(),
        required=False,
        datalist_id="source-unit-options",
        label=_("Source unit"),
        help_text=_("Who imposed it: type a code or a name and pick from the list."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = writable_units(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = _("You can only record burden for your own units.")
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        if not self.instance.pk and not self.is_bound:
            only = list(units[:2])
            if len(only) == 1:
                self.initial.setdefault("unit", only[0].pk)

    def save_record(self, *, user):
        """Write the form's record as ``user`` through the services (``ValidationError``: nothing saved).

        A form whose record is written together with other rows (a data request's
        items) overrides this to call its own service.
        """
        record = self.save(commit=False)
        record_save(record=record, user=user, expected_version=self.expected_version)
        self.save_m2m()
        return record

    @property
    def expected_version(self) -> int | None:
        """The version the page was loaded at; None for a new record."""
        return self.cleaned_data.get("version") if self.instance.pk else None

    @staticmethod
    def source_unit_options():
        """(code, name) suggestions for the source unit: the units that send work down."""
        return Unit.objects.filter(level__in=SOURCE_LEVELS).order_by("path").values_list("code", "name", "name_en")
