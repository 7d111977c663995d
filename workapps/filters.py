import django_filters
from django.utils.translation import gettext_lazy as _

from burden.record_filters import RecordFilterSet

from .models import Demand, WorkApp


class WorkAppFilterSet(RecordFilterSet):
    app_kind = django_filters.ChoiceFilter(
        label=_("App kind"), choices=WorkApp.AppKind.choices, empty_label=_("Any app kind")
    )
    demand = django_filters.ChoiceFilter(
        label=_("Demand"),
        choices=Demand.choices,
        empty_label=_("Any demand"),
        field_name="demands",
        lookup_expr="contains",
    )
    still_required = django_filters.BooleanFilter(
        label=_("Still required"), field_name="end_date", lookup_expr="isnull"
    )

    search_fields = ["name", "matter", "notes"]

    class Meta:
        model = WorkApp
        fields = ["q", "unit", "source_unit", "date_from", "date_to", "app_kind", "demand", "still_required"]
