"""Data requests and the data catalogue in the REST API.

A request's ``items`` are catalogue codes or free-text names, written with the
request through ``data_request_save`` (so the item count and the hours agree) and
read back the same way.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from burden import scoping
from burden.api import strict
from burden.api.fields import UnitCodeField
from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet
from burden.api.views import OwnedListViewSet

from .filters import DataRequestFilterSet
from .models import CatalogueItem, DataRequest
from .services import data_request_save


class ItemsField(serializers.ListField):
    """Written as a list of values; read from the request's items (prefetched by the viewset)."""

    def to_representation(self, items):
        return [item.value for item in items.all()]


class DataRequestSerializer(RecordSerializer):
    items = ItemsField(
        child=serializers.CharField(max_length=200),
        allow_empty=False,
        help_text=_("Catalogue codes or free-text names of the items asked for."),
    )

    class Meta:
        model = DataRequest
        fields = [
            *RECORD_FIELDS,
            "title",
            "date",
            "kind",
            "items",
            "frequency",
            "deadline",
            "approved_on",
            "channel",
            "filling_hours",
            "core_share_percent",
            "item_count",
            *RECORD_READ_ONLY,
        ]
        read_only_fields = ["item_count"]

    def validate(self, attrs):
        if self.instance is None and "items" not in attrs:
            raise serializers.ValidationError({"items": [_("List at least one item asked for.")]})
        return attrs

    def create(self, validated_data):
        self._items = validated_data.pop("items")
        return super().create(validated_data)

    def update(self, instance, validated_data):
        self._items = validated_data.pop("items", None)
        if self._items is None:
            self._items = instance.item_values()
        return super().update(instance, validated_data)

    def write(self, record):
        return data_request_save(
            record=record,
            items=self._items,
            user=self.context["request"].user,
            expected_version=self.expected_version,
        )


class DataRequestViewSet(RecordViewSet):
    model = DataRequest
    serializer_class = DataRequestSerializer
    filterset_class = DataRequestFilterSet
    prefetch_related = ("items__catalogue_item",)


class CatalogueItemSerializer(strict.ModelSerializer):
    owner_unit = UnitCodeField(min_role=scoping.ADMIN, help_text=_("Code of the unit that holds the data."))

    class Meta:
        model = CatalogueItem
        fields = ["code", "name", "owner_unit", "notes"]


class CatalogueItemViewSet(OwnedListViewSet):
    """The approved data list: everyone reads it; admins of the owning unit keep their items."""

    owner_field = "owner_unit"
    serializer_class = CatalogueItemSerializer
    queryset = CatalogueItem.objects.select_related("owner_unit").order_by("code")
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["owner_unit__code"]


ROUTES = [
    ("data-requests", DataRequestViewSet, "data-request"),
    ("catalogue", CatalogueItemViewSet, "catalogue"),
]
