"""Model fields shared by the record apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

SEPARATOR = ","


class MultipleChoiceField(models.CharField):
    """A small set of choices stored as one sorted, comma-separated string.

    Portable and indexable on SQLite and PostgreSQL alike: "any at all" is
    ``~Q(field="")`` and "this one" is ``Q(field__contains="photo")`` (the choice
    values are whole tokens that never contain one another). Python sees a list.
    """

    description = _("A set of choices")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "burden.fields.MultipleChoiceField"
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [item for item in value.split(SEPARATOR) if item]
        return list(value)

    def get_prep_value(self, value):
        if isinstance(value, str):  # lookups such as __contains pass a plain token
            return value
        order = [choice for choice, _label in self.flatchoices]
        return SEPARATOR.join(sorted(set(value or []), key=lambda item: order.index(item) if item in order else 99))

    def validate(self, value, model_instance):
        allowed = {choice for choice, _label in self.flatchoices}
        unknown = [item for item in value if item not in allowed]
        if unknown:
            raise ValidationError(
                _("%(value)s is not one of the available choices."),
                code="invalid_choice",
                params={"value": ", ".join(unknown)},
            )
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name,
            help_text=self.help_text,
        )
