"""Showing a rule's parameter value in the reader's language."""

from django import template

from burden.record_display import list_separator

register = template.Library()


@register.simple_tag
def param_value(param, value):
    if param.kind == "choices":
        labels = dict(param.choices)
        return list_separator().join(str(labels.get(item, item)) for item in value) or "—"
    return value
