import datetime

import factory

from documents.models import Document
from tests.factories import UnitFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"关于做好安全生产工作的通知{n}")
    number = factory.Sequence(lambda n: f"东教〔2026〕{n}号")
    received_on = datetime.date(2026, 3, 2)
    unit = factory.SubFactory(UnitFactory)
    kind = Document.Kind.NOTICE
    length_chars = 1800
    pages = 2
    response_deadline = factory.LazyAttribute(lambda d: d.received_on + datetime.timedelta(days=10))
    handling_minutes = 40
