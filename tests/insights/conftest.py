"""Known burden for the insights tests, in the first half of 2024 and of 2023.

The secondments are dated from today, so that someone is away now; their hours fall
in today's months, never in the first half of 2024.

    supervisor's subtree (S1: A, B)                    elsewhere (C)
    2024  meeting   A  from D1-EDU  Mar   4.0 h  photo   inspection C from D1-EDU Mar 13.5 h
          document  A  from D2      Mar   1.0 h
          document  B  from D2      Apr   2.0 h
          inspection B from S2      May  13.5 h
    2023  meeting   A  from D1-EDU  Mar   4.0 h
          document  A  from D2      Apr x3  1.0 h each

So for the supervisor S2 imposed the most hours (13.5), then D1-EDU (4), then D2 (3);
city-wide D1-EDU leads with 17.5. S2 issued an inspection where it issued none a year
earlier. Secondments: one person of A away until 20 days from today, one of B 5 days
overdue, one of C away (outside the supervisor's units).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from burden.insights.rollups import rollups_rebuild
from burden.tasks import sweep_rules
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.inspections import InspectionFactory
from tests.record_factories.meetings import MeetingFactory
from tests.record_factories.secondments import SecondmentFactory

PERIOD = {"start": "2024-01", "end": "2024-06"}


@dataclass
class Burden:
    supervisor_hours: Decimal = Decimal("20.50")
    supervisor_previous_hours: Decimal = Decimal("7.00")
    city_hours: Decimal = Decimal("34.00")
    staff_a_hours: Decimal = Decimal("5.00")


def day(year, month, number=2):
    return datetime.date(year, month, number)


@pytest.fixture
def burden(tree) -> Burden:
    MeetingFactory(unit=tree.a, source_unit=tree.dept, date=day(2024, 3), trace_requirements=["photo"])
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 3, 10), handling_minutes=60)
    DocumentFactory(unit=tree.b, source_unit=tree.d2, received_on=day(2024, 4, 1), handling_minutes=120)
    InspectionFactory(unit=tree.b, source_unit=tree.s2, date=day(2024, 5, 4))
    InspectionFactory(unit=tree.c, source_unit=tree.dept, date=day(2024, 3))
    MeetingFactory(unit=tree.a, source_unit=tree.dept, date=day(2023, 3, 3))
    DocumentFactory.create_batch(3, unit=tree.a, source_unit=tree.d2, received_on=day(2023, 4, 1), handling_minutes=60)
    today = timezone.localdate()
    SecondmentFactory(
        unit=tree.a,
        source_unit=tree.d1,
        start_date=today - datetime.timedelta(days=10),
        planned_end_date=today + datetime.timedelta(days=20),
    )
    SecondmentFactory(
        unit=tree.b,
        start_date=today - datetime.timedelta(days=100),
        planned_end_date=today - datetime.timedelta(days=5),
    )
    SecondmentFactory(
        unit=tree.c,
        start_date=today - datetime.timedelta(days=3),
        planned_end_date=today + datetime.timedelta(days=40),
    )
    sweep_rules.delay()  # the flags, as the nightly sweep finds them
    rollups_rebuild()  # the factories write past the services
    return Burden()


def s2_issues_more_inspections(tree) -> None:
    """S2 with a base a year earlier: one inspection of B in May 2023, two in 2024 (May and June).

    ``burden`` alone has S2's 2024 inspection against none in 2023: no base, so no
    "more than a year earlier"; with this it issued 2 against 1.
    """
    InspectionFactory(unit=tree.b, source_unit=tree.s2, date=day(2023, 5, 4))
    InspectionFactory(unit=tree.b, source_unit=tree.s2, date=day(2024, 6, 4))
    rollups_rebuild()
