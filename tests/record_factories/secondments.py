import datetime

import factory
from dateutil.relativedelta import relativedelta

from secondments.models import Extension, Secondment
from tests.factories import UnitFactory


class SecondmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Secondment

    person_name = factory.Sequence(lambda n: f"借调人员{n}")
    host_name = "区创文专班"
    arrangement = Secondment.Arrangement.SECONDMENT
    unit = factory.SubFactory(UnitFactory)
    start_date = datetime.date(2026, 3, 2)
    planned_end_date = factory.LazyAttribute(lambda s: s.start_date + relativedelta(months=3))
    approved_by = "王主任"
    approved_on = factory.LazyAttribute(lambda s: s.start_date - datetime.timedelta(days=7))
    specially_approved = False


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    secondment = factory.SubFactory(SecondmentFactory)
    new_end_date = factory.LazyAttribute(lambda e: e.secondment.planned_end_date + relativedelta(months=1))
    approved_by = "李部长"
