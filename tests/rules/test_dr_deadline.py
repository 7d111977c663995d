"""DR-DEADLINE (paper 4.2.2): at least 3 working days to answer a data request.

Working days to answer: Monday to Friday after the day the request arrived, up to and
including the deadline (``burden.costs.working_days`` from the next day).
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.datarequests import answer_days
from burden.rules.engine import sweep
from tests.record_factories.datarequests import DataRequestFactory

CODE = "DR-DEADLINE"
MONDAY = datetime.date(2026, 3, 2)
FRIDAY = datetime.date(2026, 3, 6)
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def open_violation(record):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).first()


def request(unit, date, deadline):
    return DataRequestFactory(unit=unit, date=date, deadline=deadline)


@pytest.mark.parametrize(
    ("date", "deadline", "days"),
    [
        (MONDAY, MONDAY, 0),
        (MONDAY, MONDAY + 3 * DAY, 3),  # Tuesday, Wednesday, Thursday
        (FRIDAY, FRIDAY + 2 * DAY, 0),  # the weekend only
        (FRIDAY, FRIDAY + 5 * DAY, 3),  # Monday to Wednesday
        (MONDAY, MONDAY + 14 * DAY, 10),
    ],
)
def test_working_days_to_answer_count_after_the_request_up_to_the_deadline(date, deadline, days):
    assert answer_days(date, deadline) == days


def test_three_working_days_to_answer_pass(tree):
    record = request(tree.a, MONDAY, MONDAY + 3 * DAY)  # Thursday
    sweep(MONDAY, codes=[CODE])
    assert open_violation(record) is None


def test_two_working_days_to_answer_flag(tree):
    record = request(tree.a, MONDAY, MONDAY + 2 * DAY)  # Wednesday
    sweep(MONDAY, codes=[CODE])
    violation = open_violation(record)
    assert violation.details["working_days"] == 2
    assert violation.message == "2 working days to answer, fewer than the minimum of 3"


def test_a_weekend_is_not_time_to_answer(tree):
    passes = request(tree.a, FRIDAY, FRIDAY + 5 * DAY)  # next Wednesday
    flags = request(tree.a, FRIDAY, FRIDAY + 4 * DAY)  # next Tuesday: 5 calendar days, 2 working days
    sweep(MONDAY, codes=[CODE])
    assert open_violation(passes) is None
    assert open_violation(flags).details["working_days"] == 2


def test_a_deadline_on_the_day_the_request_arrives_flags(tree):
    record = request(tree.a, MONDAY, MONDAY)
    sweep(MONDAY, codes=[CODE])
    assert open_violation(record).details["working_days"] == 0


def test_a_request_without_a_deadline_passes(tree):
    record = request(tree.a, MONDAY, None)
    sweep(MONDAY, codes=[CODE])
    assert open_violation(record) is None


def test_a_minimum_set_by_an_admin_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"min_working_days": 5})
    passes = request(tree.a, MONDAY, MONDAY + 7 * DAY)  # next Monday: 5
    flags = request(tree.a, MONDAY, MONDAY + 6 * DAY)  # Sunday: 4
    sweep(MONDAY, codes=[CODE])
    assert open_violation(passes) is None
    assert open_violation(flags).message == "4 working days to answer, fewer than the minimum of 5"


def test_a_long_minimum_still_finds_every_short_deadline(tree):
    RuleSetting.objects.create(rule=CODE, params={"min_working_days": 11})
    flags = request(tree.a, FRIDAY, FRIDAY + 15 * DAY)  # 10 working days over three weekends
    passes = request(tree.a, FRIDAY, FRIDAY + 17 * DAY)  # 11
    sweep(MONDAY, codes=[CODE])
    assert open_violation(flags).details["working_days"] == 10
    assert open_violation(passes) is None


def test_a_minimum_of_zero_flags_nothing(tree):
    RuleSetting.objects.create(rule=CODE, params={"min_working_days": 0})
    record = request(tree.a, MONDAY, MONDAY)
    sweep(MONDAY, codes=[CODE])
    assert open_violation(record) is None


def test_a_sweep_opens_a_second_changes_nothing_and_a_later_deadline_clears_it(tree):
    record = request(tree.a, MONDAY, MONDAY + 2 * DAY)
    assert sweep(MONDAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(MONDAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 0}

    record.deadline = MONDAY + 3 * DAY
    record.save()
    assert sweep(MONDAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_violation(record) is None
