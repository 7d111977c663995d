import datetime

import factory

from meetings.models import Meeting
from tests.factories import UnitFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"工作部署会{n}")
    date = datetime.date(2026, 3, 2)
    unit = factory.SubFactory(UnitFactory)
    duration_minutes = 90
    attendees = 2
    accompanying = 0
    travel_minutes = 30
    mode = Meeting.Mode.IN_PERSON
    category = Meeting.Category.DEPLOYMENT
