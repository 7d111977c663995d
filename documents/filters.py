import django_filters
from django.utils.translation import gettext_lazy as _

from burden.record_filters import RecordFilterSet

from .models import Document


class DocumentFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind of document"), choices=Document.Kind.choices, empty_label=_("Any kind")
    )

    labelled_as = django_filters.ChoiceFilter(
        label=_("Issued as"), choices=Document.Label.choices, empty_label=_("Any label")
    )

    search_fields = ["title", "number", "matter", "notes"]

    class Meta:
        model = Document
        fields = ["q", "unit", "source_unit", "date_from", "date_to", "kind", "labelled_as"]
