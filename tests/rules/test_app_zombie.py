"""APP-ZOMBIE (Fingertip Opinions, part 三): a group is dissolved once the task it was set up for is done."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from tests.record_factories.workapps import WorkAppFactory

CODE = "APP-ZOMBIE"
ENDED = datetime.date(2026, 4, 1)
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def open_violation(record):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).first()


@pytest.fixture
def group(tree):
    """Still required, its matter finished on ``ENDED``."""
    return WorkAppFactory(
        unit=tree.a, source_unit=tree.dept, start_date=datetime.date(2026, 1, 5), end_date=None, matter_ended_on=ENDED
    )


def test_still_required_exactly_thirty_days_after_its_matter_passes(group):
    sweep(ENDED + 30 * DAY, codes=[CODE])
    assert open_violation(group) is None


def test_still_required_thirty_one_days_after_flags(group):
    sweep(ENDED + 31 * DAY, codes=[CODE])
    violation = open_violation(group)
    assert violation.details["days_after"] == 31
    assert violation.message == (
        "Still required 31 days after its matter ended on 2026-04-01, over the limit of 30 days"
    )
    assert violation.occurred_on == ENDED + 31 * DAY


@pytest.mark.parametrize(("end_after", "is_flagged"), [(30, False), (31, True)])
def test_a_group_closed_on_the_limit_passes_and_a_day_later_flags(group, end_after, is_flagged):
    group.end_date = ENDED + end_after * DAY
    group.save()
    sweep(ENDED + 200 * DAY, codes=[CODE])
    assert (open_violation(group) is not None) is is_flagged


def test_a_group_whose_matter_has_not_ended_is_not_a_zombie(group):
    group.matter_ended_on = None
    group.save()
    sweep(ENDED + 400 * DAY, codes=[CODE])
    assert open_violation(group) is None


def test_a_closing_date_still_ahead_does_not_count_as_closed(group):
    group.end_date = ENDED + 90 * DAY
    group.save()
    sweep(ENDED + 40 * DAY, codes=[CODE])
    assert open_violation(group).details["days_after"] == 40


def test_days_set_by_an_admin_move_the_boundary(group):
    RuleSetting.objects.create(rule=CODE, params={"days": 7})
    sweep(ENDED + 7 * DAY, codes=[CODE])
    assert open_violation(group) is None
    sweep(ENDED + 8 * DAY, codes=[CODE])
    assert open_violation(group).message == (
        "Still required 8 days after its matter ended on 2026-04-01, over the limit of 7 days"
    )
