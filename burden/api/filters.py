"""Filters as the schema states them: a blank date, number or choice is a 400, not "no filter"."""

import re

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

WHOLE_NUMBER = re.compile(r"^-?[0-9]+$")


def filter_problem(field, value: str):
    """Why ``value`` does not suit ``field`` (django-filter would quietly ignore it), or None."""
    if isinstance(field, django_filters.CharFilter):
        return None
    if value == "":
        return _("This field may not be blank.")
    if isinstance(field, django_filters.BooleanFilter) and value not in ("true", "false"):
        return _("Expected true or false.")
    if isinstance(field, django_filters.NumberFilter) and not WHOLE_NUMBER.match(value):
        return _("Expected a whole number.")
    return None


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, field in filterset.filters.items():
                for value in request.query_params.getlist(name):
                    problem = filter_problem(field, value)
                    if problem:
                        errors[name] = [problem]
            if errors:
                raise ValidationError(errors)
        return filterset
