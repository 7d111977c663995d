"""A work app's hours: minutes a day x people x working days, spread over the months they fall in."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from burden.insights.models import MonthlyRollup
from burden.insights.rollups import rollups_rebuild
from burden.services import record_save
from tests.record_factories.workapps import WorkAppFactory
from workapps.models import WorkApp, burden_hours_for_work_app, work_app_hours_by_month

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 3, 2)


def test_hours_are_minutes_a_day_times_people_times_working_days():
    # 2026-03-02 (Mon) to 2026-03-13 (Fri): 10 working days.
    hours = burden_hours_for_work_app(
        start=MONDAY, end=datetime.date(2026, 3, 13), minutes_per_day=15, people_required=4
    )
    assert hours == Decimal("10.00")  # 15 min x 4 people x 10 days = 600 min


def test_a_weekend_adds_no_hours():
    saturday, sunday = datetime.date(2026, 3, 7), datetime.date(2026, 3, 8)
    assert burden_hours_for_work_app(start=saturday, end=sunday, minutes_per_day=30, people_required=2) == 0


def test_the_months_add_up_to_the_whole():
    start, end = datetime.date(2026, 1, 20), datetime.date(2026, 4, 10)
    months = work_app_hours_by_month(start=start, end=end, minutes_per_day=20, people_required=3)
    assert list(months) == [datetime.date(2026, m, 1) for m in (1, 2, 3, 4)]
    whole = burden_hours_for_work_app(start=start, end=end, minutes_per_day=20, people_required=3)
    assert sum(months.values()) == whole


def test_a_group_still_required_counts_up_to_today(tree, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2026, 3, 6))
    app = WorkAppFactory(unit=tree.a, start_date=MONDAY, end_date=None, minutes_per_day=60, people_required=1)
    assert app.burden_hours == Decimal("5.00")  # Monday to Friday


def test_an_end_before_the_start_is_refused(tree):
    app = WorkAppFactory.build(unit=tree.a, start_date=MONDAY, end_date=MONDAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        app.full_clean()
    assert "end_date" in error.value.message_dict


def test_the_rollups_spread_its_own_hours_a_day_over_its_months(tree, personas):
    app = WorkApp(
        unit=tree.a,
        source_unit=tree.dept,
        name="创文打卡群",
        start_date=datetime.date(2026, 3, 30),  # Monday: 2 working days in March, 3 in April
        end_date=datetime.date(2026, 4, 3),
        minutes_per_day=30,
        people_required=2,
    )
    record_save(record=app, user=personas.staff_a)
    rollups_rebuild(["work_app"])
    cells = dict(MonthlyRollup.objects.filter(record_kind="work_app").values_list("month", "hours"))
    assert cells == {datetime.date(2026, 3, 1): Decimal("2.00"), datetime.date(2026, 4, 1): Decimal("3.00")}
    assert sum(cells.values()) == app.burden_hours


def test_the_scheduled_sweep_counts_a_still_required_group_up_to_its_day(tree, monkeypatch):
    from burden.rules.tasks import sweep_rules

    friday, next_friday = datetime.date(2026, 3, 6), datetime.date(2026, 3, 13)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: friday)
    still = WorkAppFactory(unit=tree.a, start_date=MONDAY, end_date=None, minutes_per_day=60, people_required=1)
    ended = WorkAppFactory(unit=tree.a, start_date=MONDAY, end_date=friday, minutes_per_day=60, people_required=1)
    assert still.burden_hours == ended.burden_hours == Decimal("5.00")

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: next_friday)
    assert WorkApp.hours_refresh(friday) == 0  # already up to that day
    sweep_rules(next_friday.isoformat())
    still.refresh_from_db()
    ended.refresh_from_db()
    assert (still.burden_hours, ended.burden_hours) == (Decimal("10.00"), Decimal("5.00"))
    assert MonthlyRollup.objects.get(record_kind="work_app", month=MONDAY.replace(day=1)).hours == Decimal("15.00")
