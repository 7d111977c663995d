"""Showing a rule's parameter value in the reader's language."""

from django import template

register = template.Library()


@register.simple_tag
def param_value(param, value):
    return param.display(value)
