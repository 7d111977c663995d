"""Filter sets for the core lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Unit


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    within = django_filters.CharFilter(label=_("Within unit (code)"), method="filter_within")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Unit.Level.choices, empty_label=_("Any level"))
    is_grassroots = django_filters.BooleanFilter(label=_("Grassroots"))

    class Meta:
        model = Unit
        fields = ["q", "within", "level", "is_grassroots"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value))

    def filter_within(self, queryset, name, value):
        # The parent is looked up inside the already-scoped queryset, so a code
        # outside one's units simply yields nothing rather than revealing it.
        path = queryset.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(path__startswith=path)
