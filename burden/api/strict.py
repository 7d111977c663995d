"""JSON types checked before DRF's lenient conversions.

DRF turns ``0`` into ``"0"`` for a text field, ``"yes"`` into ``True`` and ``"5"`` into
``5``. The contract promises a 400 for a value of the wrong type, and integrating
systems are better served by hearing about their bug than by a guess, so every
serializer of the API checks the JSON type of each value it is given first.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import fields, relations, serializers

EXPECTED = {
    "boolean": _("Expected true or false."),
    "integer": _("Expected a whole number."),
    "number": _("Expected a number."),
    "string": _("Expected a text value."),
    "list": _("Expected a list."),
    "object": _("Expected an object."),
}


def json_type_problem(field, value):
    """The message for ``value`` of the wrong JSON type for ``field``, or None."""
    if value is None:
        return None  # allow_null decides
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no database can store it
            return _("The text holds characters that are not valid.")
        if value == "" and isinstance(field, relations.RelatedField):
            return _("This field may not be blank.")
    if isinstance(field, fields.BooleanField):
        wanted = "boolean" if not isinstance(value, bool) else None
    elif isinstance(field, fields.IntegerField | relations.PrimaryKeyRelatedField):
        wanted = "integer" if isinstance(value, bool) or not isinstance(value, int) else None
    elif isinstance(field, fields.DecimalField | fields.FloatField):
        wanted = "number" if isinstance(value, bool) or not isinstance(value, int | float) else None
    elif isinstance(field, fields.ListField | serializers.ListSerializer):
        if not isinstance(value, list):
            wanted = "list"
        else:
            child = getattr(field, "child", None)
            problems = [json_type_problem(child, item) for item in value] if child is not None else []
            return next((problem for problem in problems if problem), None)
    elif isinstance(field, fields.DictField | fields.JSONField):
        wanted = "object" if not isinstance(value, dict) else None
    elif isinstance(field, fields.CharField | fields.ChoiceField | fields.DateField | relations.SlugRelatedField):
        wanted = "string" if not isinstance(value, str) else None
    else:
        wanted = None
    return EXPECTED[wanted] if wanted else None


class StrictTypes:
    """Mix into a serializer: a value of the wrong JSON type is a 400 on its field."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                problem = json_type_problem(field, data[name])
                if problem:
                    errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictTypes, serializers.Serializer):
    pass


class ModelSerializer(StrictTypes, serializers.ModelSerializer):
    pass
