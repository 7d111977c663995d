import datetime

import factory

from datarequests.models import CatalogueItem, DataRequest, DataRequestItem
from tests.factories import UnitFactory


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueItem
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"POP-{n:03d}")
    name = factory.Sequence(lambda n: f"人口数据{n}")
    owner_unit = factory.SubFactory(UnitFactory)


class DataRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataRequest
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"人口信息统计表{n}")
    date = datetime.date(2026, 3, 2)
    unit = factory.SubFactory(UnitFactory)
    kind = DataRequest.Kind.DATA
    frequency = DataRequest.Frequency.MONTHLY
    channel = DataRequest.Channel.SPREADSHEET
    deadline = factory.LazyAttribute(lambda r: r.date + datetime.timedelta(days=10))

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        """Free-text items (``items=[...]`` to choose them); a built request only counts them."""
        names = list(extracted) if extracted is not None else ["常住人口", "户籍人口", "流动人口"]
        obj.item_count = len(names)
        # What a person would type in the form's items box (tests/test_records.form_data posts it).
        obj.form_extra = {"items": "\n".join(names)}
        if create:
            DataRequestItem.objects.bulk_create(
                DataRequestItem(request=obj, name=name, position=position) for position, name in enumerate(names)
            )
            obj.save()  # the hours read the count
