from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet

from .filters import LunchFilterSet
from .models import Lunch


class LunchSerializer(RecordSerializer):
    class Meta:
        model = Lunch
        fields = [*RECORD_FIELDS, "title", "date", "minutes", "people", *RECORD_READ_ONLY]


class LunchViewSet(RecordViewSet):
    model = Lunch
    serializer_class = LunchSerializer
    filterset_class = LunchFilterSet


ROUTES = [("lunches", LunchViewSet, "lunch")]
