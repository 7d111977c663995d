"""The ``items`` column of a data request ledger: catalogue codes or free-text names in one cell."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from burden.ledger.columns import CellError, ExtraColumn

from .forms import split_items
from .models import CatalogueItem, DataRequestItem
from .services import data_request_items, item_names


class ItemsColumn(ExtraColumn):
    name = "items"
    verbose_name = gettext_lazy("items asked")
    required = True
    hint = gettext_lazy("Catalogue codes or free-text names, separated by commas or 、.")
    prefetch = ("items__catalogue_item",)
    derived_fields = ("item_count",)

    def parse(self, raw):
        names = item_names(split_items(str(raw)))
        longest = DataRequestItem._meta.get_field("name").max_length
        for name in names:
            if len(name) > longest:
                raise CellError(
                    _("An item has at most %(max)s characters; “%(item)s…” is longer.")
                    % {"max": longest, "item": name[:30]}
                )
        return names

    def apply(self, record, value) -> None:
        record.item_count = len(value)

    def current(self, record):
        return [item.value for item in record.items.all()]

    def export(self, record) -> str:
        return "、".join(self.current(record))

    def write(self, pairs) -> None:
        if not pairs:
            return
        codes = {name for _record, names in pairs for name in names}
        catalogue = CatalogueItem.objects.in_bulk(list(codes), field_name="code")
        DataRequestItem.objects.filter(request__in=[record for record, _names in pairs]).delete()
        rows = []
        for record, names in pairs:
            for item in data_request_items(names, catalogue):
                item.request = record
                rows.append(item)
        DataRequestItem.objects.bulk_create(rows, batch_size=2000)
