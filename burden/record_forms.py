"""The form every record app's form builds on."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .concurrency import version_field
from .costs import hours
from .models import CostParameters, Unit
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
    """A unit typed by its name or code, or picked from the suggestions (a datalist of "CODE name").

    People type names (东湖区教育局): a name that only one unit of the choices bears is
    that unit; a name several bear is refused with their codes, so the person can say which.
    """

    default_error_messages = {
        "invalid_choice": _("There is no unit of this name or code. Pick one from the suggestions."),
        "ambiguous": _("Several units are called “%(name)s” (%(codes)s): type the code of the one you mean."),
    }
    #: Past this many units of one name, the message names the first ones only.
    AMBIGUOUS_SHOWN = 5

    def __init__(self, *, datalist_id: str, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": datalist_id, "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A bound instance gives the unit's id; the input shows it as a suggestion does, "CODE name".
        if isinstance(value, int):
            unit = Unit.objects.filter(pk=value).only("code", "name", "name_en").first()
            if unit is None:
                return value
            name = unit.name_en if translation.get_language() == "en" and unit.name_en else unit.name
            return f"{unit.code} {name}"
        return super().prepare_value(value)

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else value
        if text in self.empty_values:
            return None
        if not isinstance(text, str):
            return super().to_python(text)
        matches = self.queryset.meant_by(text, limit=self.AMBIGUOUS_SHOWN + 1)
        if len(matches) == 1:
            return matches[0]
        if matches:
            codes = "、".join(unit.code for unit in matches[: self.AMBIGUOUS_SHOWN])
            params = {"name": text, "codes": codes}
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params=params)
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text})


#: A new record whose hours pass this many working days of every person on its unit's books
#: (at least one person) is implausible enough to be confirmed before it is saved.
PLAUSIBLE_UNIT_DAYS = 22
#: The name of the button that saves a record the form warned about.
CONFIRM = "confirm_warnings"


@dataclass(frozen=True)
class Fold:
    """Fields a form shows folded under a legend, after the others: rarely changed, with defaults that fit."""

    legend: object
    fields: tuple[str, ...]
    help_text: object = ""


class YesNoField(forms.TypedChoiceField):
    """A question a rule reads, answered yes or no with two radio buttons; a new record's form pre-answers nothing.

    A ticked-by-default box hides the case the rule looks for unless someone unticks it;
    a question asks. Reads a check box's posts too ("on", "true"), as scripts and old pages send.
    """

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [("True", _("Yes")), ("False", _("No"))])
        super().__init__(coerce=lambda value: value == "True", empty_value=None, **kwargs)

    def to_python(self, value):
        if isinstance(value, bool):
            return str(value)
        value = super().to_python(value)
        return {"on": "True", "true": "True", "1": "True", "false": "False", "0": "False"}.get(value.lower(), value)


class RecordForm(forms.ModelForm):
    """Scopes the unit choices to the user's units and preselects the only one.

    Carries the record's version as a hidden field, so a save from a page that
    someone else's save has overtaken is refused (``StaleWrite``) instead of undoing theirs,
    and, for a new record, a submission token the view uses to refuse saving one form twice.

    A new record that looks like one already logged (same unit, date and title) or whose
    hours are implausible is not saved at once: the form says why (``warnings``) and saves
    it when the person confirms with the ``CONFIRM`` button, everything typed kept.

    ``folds`` name fields the page shows folded (``Fold``), so that what most records
    leave at its default does not lengthen the form; a fold opens by itself when one of
    its fields has an error or a value other than its default.
    """

    version = version_field()
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    folds: tuple[Fold, ...] = ()
    #: Yes-or-no fields a rule reads, asked as questions (``YesNoField``) rather than boxes ticked by default.
    questions: tuple[str, ...] = ()

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
        for name in self.questions:
            model_field = self._meta.model._meta.get_field(name)
            self.fields[name] = YesNoField(label=model_field.verbose_name, help_text=model_field.help_text)
            if not self.instance.pk:
                self.initial[name] = None

    warnings: list = []
    duplicate_of = None

    def _post_clean(self):
        # After the instance holds what was typed (and passed the model's validation).
        super()._post_clean()
        if not self.instance.pk and not self.errors and not self.data.get(CONFIRM):
            self.warnings = self._warnings(self.cleaned_data)
            if self.warnings:
                self.add_error(None, ValidationError(self.warnings, code="unconfirmed"))

    def _warnings(self, cleaned) -> list[str]:
        """What to confirm before a new record is saved: a likely duplicate, implausible hours."""
        model = self._meta.model
        warnings = []
        key = {name: cleaned.get(name) for name in duplicate_fields(model)}
        if all(value not in (None, "") for value in key.values()):
            self.duplicate_of = model.objects.filter(**key).order_by("-pk").first()
            if self.duplicate_of is not None:
                warnings.append(
                    _("“%(record)s” of the same unit and date is logged already: save this one only if it is another.")
                    % {"record": self.duplicate_of}
                )
        unit = cleaned.get("unit")
        if unit is not None:
            params = CostParameters.current()
            try:
                record_hours = self.instance.compute_burden_hours(params)
            except (TypeError, ValueError, AttributeError):
                record_hours = None
            limit = hours(max(unit.headcount, 1) * PLAUSIBLE_UNIT_DAYS * params.hours_per_working_day)
            if record_hours is not None and record_hours > limit:
                warnings.append(
                    _(
                        "That is %(hours)s person-hours, more than %(days)s working days of everyone on %(unit)s's "
                        "books: check the figures. Save only if they are right."
                    )
                    % {"hours": f"{record_hours:,.0f}", "days": PLAUSIBLE_UNIT_DAYS, "unit": unit}
                )
        return warnings

    def layout(self) -> dict:
        """The visible fields outside the folds, then each fold with its fields and whether it opens."""
        folded = {name for fold in self.folds for name in fold.fields}
        opts = self._meta.model._meta
        folds = []
        for fold in self.folds:
            fields = [self[name] for name in fold.fields if name in self.fields]
            changed = any(
                bound.errors or str(bound.value() or "") != str(opts.get_field(bound.name).get_default() or "")
                for bound in fields
            )
            folds.append({"legend": fold.legend, "help_text": fold.help_text, "fields": fields, "open": changed})
        return {
            "fields": [field for field in self.visible_fields() if field.name not in folded],
            "folds": folds,
        }

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
        return Unit.objects.filter(level__in=SOURCE_LEVELS).options(limit=None)


def duplicate_fields(model) -> list[str]:
    """What makes two records of ``model`` look like one logged twice: unit, date and what it is called."""
    names = {field.name for field in model._meta.get_fields()}
    title = next((name for name in ("title", "person_name", "name") if name in names), None)
    return ["unit", model.date_field, title] if title else []
