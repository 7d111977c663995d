import django_filters
from django.utils.translation import gettext_lazy as _

from burden.record_filters import RecordFilterSet

from .models import Secondment


class SecondmentFilterSet(RecordFilterSet):
    returned = django_filters.BooleanFilter(
        label=_("Returned"), field_name="returned_on", lookup_expr="isnull", exclude=True
    )

    arrangement = django_filters.ChoiceFilter(
        label=_("Arrangement"), choices=Secondment.Arrangement.choices, empty_label=_("Any arrangement")
    )

    search_fields = ["person_name", "host_name", "notes"]

    class Meta:
        model = Secondment
        fields = ["q", "unit", "source_unit", "date_from", "date_to", "arrangement", "returned"]
