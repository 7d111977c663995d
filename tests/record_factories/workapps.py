import datetime

import factory

from tests.factories import UnitFactory
from workapps.models import Demand, WorkApp


class WorkAppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkApp

    name = factory.Sequence(lambda n: f"网格工作群{n}")
    app_kind = WorkApp.AppKind.GROUP
    unit = factory.SubFactory(UnitFactory)
    start_date = datetime.date(2026, 3, 2)
    end_date = factory.LazyAttribute(lambda app: app.start_date + datetime.timedelta(days=29))
    people_required = 2
    minutes_per_day = 15
    demands = factory.LazyFunction(lambda: [Demand.REPLY_CHAIN.value])
    matter = "网格化管理"
