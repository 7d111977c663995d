"""SEC-OVERDUE (paper 4.2.1): the person is back by the end of the (extended) term."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory

CODE = "SEC-OVERDUE"
END = datetime.date(2026, 6, 2)
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def open_violation(record):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).first()


@pytest.fixture
def secondment(tree):
    return SecondmentFactory(unit=tree.a, start_date=datetime.date(2026, 3, 2), planned_end_date=END)


def test_still_away_on_the_last_day_of_the_term_passes(secondment):
    sweep(END, codes=[CODE])
    assert open_violation(secondment) is None


def test_not_back_the_day_after_the_end_flags(secondment):
    sweep(END + DAY, codes=[CODE])
    violation = open_violation(secondment)
    assert violation.details["overdue_days"] == 1
    assert violation.message == "Away 1 days past the end of the term on 2026-06-02, over the grace of 0 days"
    assert violation.severity == "high"


def test_returned_on_the_end_date_passes(secondment):
    secondment.returned_on = END
    secondment.save()
    sweep(END + 30 * DAY, codes=[CODE])
    assert open_violation(secondment) is None


def test_a_return_after_the_end_is_kept_as_a_late_return(secondment):
    secondment.returned_on = END + 2 * DAY
    secondment.save()
    sweep(END + 30 * DAY, codes=[CODE])
    assert open_violation(secondment).details["overdue_days"] == 2


def test_a_return_date_still_in_the_future_does_not_count_as_back(secondment):
    secondment.returned_on = END + 10 * DAY
    secondment.save()
    sweep(END + 3 * DAY, codes=[CODE])
    assert open_violation(secondment).details["overdue_days"] == 3


def test_an_extension_moves_the_end(secondment):
    ExtensionFactory(secondment=secondment, new_end_date=datetime.date(2026, 7, 2))
    sweep(datetime.date(2026, 7, 2), codes=[CODE])
    assert open_violation(secondment) is None

    sweep(datetime.date(2026, 7, 3), codes=[CODE])
    assert open_violation(secondment).details["end"] == "2026-07-02"


def test_days_of_grace_set_by_an_admin_move_the_boundary(secondment):
    RuleSetting.objects.create(rule=CODE, params={"grace_days": 5})
    sweep(END + 5 * DAY, codes=[CODE])
    assert open_violation(secondment) is None

    sweep(END + 6 * DAY, codes=[CODE])
    violation = open_violation(secondment)
    assert violation.message == "Away 6 days past the end of the term on 2026-06-02, over the grace of 5 days"


def test_a_sweep_opens_a_second_changes_nothing_and_the_return_clears_it(secondment):
    today = END + DAY
    assert sweep(today, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(today, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 0}

    secondment.returned_on = END
    secondment.save()
    assert sweep(today, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_violation(secondment) is None
