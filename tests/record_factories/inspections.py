import datetime
from decimal import Decimal

import factory

from inspections.models import Inspection, InspectionPlan
from tests.factories import UnitFactory


class InspectionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionPlan

    inspecting_unit = factory.SubFactory(UnitFactory)
    year = 2026
    approved_on = datetime.date(2026, 1, 10)
    quota = 4


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    title = factory.Sequence(lambda n: f"安全生产督查{n}")
    date = datetime.date(2026, 3, 2)
    unit = factory.SubFactory(UnitFactory)
    purpose = Inspection.Purpose.SUPERVISION
    comprehensive = False
    principal_required = False
    tables_demanded = 3
    reports_demanded = 1
    staff_involved = 3
    preparation_hours = Decimal("6.0")
    onsite_hours = Decimal("2.5")
