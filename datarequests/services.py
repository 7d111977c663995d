"""Writing a data request together with its items, so the two never disagree."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from burden.services import record_save

from .models import CatalogueItem, DataRequest, DataRequestItem

NO_ITEMS = _("List at least one item asked for.")


def item_names(values: list[str]) -> list[str]:
    """The distinct, non-blank item values, in order."""
    return list(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def data_request_items(values: list[str], catalogue: dict | None = None) -> list[DataRequestItem]:
    """Unsaved items for ``values``: a value equal to a catalogue code links that item, anything else is free text.

    Blank values and repeats are dropped; the order is kept. Raises ``ValidationError``
    on ``items`` for a name too long to store. ``catalogue`` (code -> item) saves the
    look-up when many requests are written at once.
    """
    names = item_names(values)
    if catalogue is None:
        catalogue = CatalogueItem.objects.in_bulk(names, field_name="code")
    items = []
    for position, name in enumerate(names):
        linked = catalogue.get(name)
        item = DataRequestItem(catalogue_item=linked, name=linked.name if linked else name, position=position)
        try:
            item.full_clean(exclude=["request"])
        except ValidationError as error:
            problem = " ".join(error.messages)
            raise ValidationError(
                {
                    "items": _("The item “%(item)s…” cannot be stored: %(problem)s")
                    % {"item": name[:30], "problem": problem}
                }
            ) from None
        items.append(item)
    return items


@transaction.atomic
def data_request_save(
    *, record: DataRequest, items: list[str], user, expected_version: int | None = None
) -> DataRequest:
    """Validate and save a new or changed data request with ``items`` (catalogue codes or free-text names).

    Raises ``ValidationError`` (nothing saved) for a bad record or no items, and
    ``StaleWrite`` if it changed since ``expected_version`` (see ``record_save``).
    Side effects: the record's items are replaced by ``items`` in order and
    ``item_count`` follows; ``record_save`` stores the burden hours (which read
    ``item_count``), who changed it, and one history row.
    """
    rows = data_request_items(items)
    if not rows:
        raise ValidationError({"items": NO_ITEMS})
    # Counted before the one save, so the hours are right and the history gets one row.
    record.item_count = len(rows)
    record_save(record=record, user=user, expected_version=expected_version)
    record.items.all().delete()
    for row in rows:
        row.request = record
    DataRequestItem.objects.bulk_create(rows)
    return record
