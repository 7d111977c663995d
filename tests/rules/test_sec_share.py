"""SEC-SHARE (paper 3.5): at most a quarter of a unit's headcount seconded out on any day."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import RuleSetting, Unit, Violation
from burden.rules import get_rule
from burden.rules.engine import evaluate_record, sweep
from secondments.models import Secondment
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory

CODE = "SEC-SHARE"
TODAY = datetime.date(2026, 3, 1)
START = datetime.date(2026, 3, 2)
END = datetime.date(2026, 6, 2)
pytestmark = pytest.mark.django_db


def flagged(records):
    return {
        record.pk
        for record in records
        if Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).exists()
    }


def away(unit, n, start=START, end=END, **fields):
    return [SecondmentFactory(unit=unit, start_date=start, planned_end_date=end, **fields) for _ in range(n)]


def test_a_quarter_of_the_headcount_away_passes(tree):
    # Community A has 12 staff: 3 away is exactly 25 %.
    records = away(tree.a, 3)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == set()


def test_one_person_more_than_a_quarter_flags_everyone_away_that_day(tree):
    records = away(tree.a, 4)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == {record.pk for record in records}
    violation = Violation.objects.filter(rule=CODE).first()
    assert violation.message == (
        "On 2026-03-02, 4 of the unit's 12 staff (33.3%) were seconded out, over the limit of 25%"
    )
    assert violation.severity == "high"
    assert violation.unit_id == tree.a.pk


def test_the_papers_example_nearly_a_quarter_seconded_flags_under_a_stricter_share(tree):
    # "部分基层单位近四分之一的人员被抽调": 2 of community B's 9 (22 %) pass the paper's 25 %...
    records = away(tree.b, 2)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == set()
    # ...and flag once an admin lowers the share to 20 %.
    RuleSetting.objects.create(rule=CODE, params={"max_percent": 20})
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == {record.pk for record in records}
    assert Violation.objects.filter(rule=CODE).first().message == (
        "On 2026-03-02, 2 of the unit's 9 staff (22.2%) were seconded out, over the limit of 20%"
    )


def test_a_higher_share_set_by_an_admin_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_percent": 50})
    records = away(tree.a, 6)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == set()

    records += away(tree.a, 1)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == {record.pk for record in records}


def test_terms_that_follow_each_other_do_not_add_up(tree):
    records = away(tree.a, 3)
    later = away(tree.a, 1, start=END + datetime.timedelta(days=1), end=datetime.date(2026, 8, 1))
    sweep(TODAY, codes=[CODE])
    assert flagged(records + later) == set()


def test_a_term_ending_on_the_day_another_starts_overlaps_that_day(tree):
    records = away(tree.a, 3)
    same_day = away(tree.a, 1, start=END, end=datetime.date(2026, 8, 1))
    sweep(TODAY, codes=[CODE])
    assert flagged(records + same_day) == {record.pk for record in records + same_day}
    assert Violation.objects.filter(rule=CODE).first().details["day"] == END.isoformat()


def test_an_early_return_ends_the_time_away(tree):
    records = away(tree.a, 3)
    back_early = away(tree.a, 1, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 4, 1))
    back_early[0].returned_on = datetime.date(2026, 3, 1)
    back_early[0].save()
    sweep(TODAY, codes=[CODE])
    assert flagged(records + back_early) == set()


def test_an_extension_lengthens_the_time_away(tree):
    records = away(tree.a, 3)
    extended = away(tree.a, 1, start=datetime.date(2026, 1, 5), end=datetime.date(2026, 3, 1))
    sweep(TODAY, codes=[CODE])
    assert flagged(records + extended) == set()

    ExtensionFactory(secondment=extended[0], new_end_date=datetime.date(2026, 3, 2))
    sweep(TODAY, codes=[CODE])
    assert flagged(records + extended) == {record.pk for record in records + extended}


def test_only_the_secondments_away_on_the_worst_day_are_flagged(tree):
    records = away(tree.a, 4)
    before = away(tree.a, 1, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 12, 1))
    sweep(TODAY, codes=[CODE])
    assert flagged(records + before) == {record.pk for record in records}


def test_other_units_secondments_do_not_count(tree):
    records = away(tree.a, 3) + away(tree.b, 2)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == set()


def test_a_unit_without_a_headcount_is_not_judged(tree):
    Unit.objects.filter(pk=tree.dept.pk).update(headcount=0)  # 0: not known
    records = away(tree.dept, 5)
    sweep(TODAY, codes=[CODE])
    assert flagged(records) == set()


def test_saving_one_secondment_re_evaluates_the_units_others(tree):
    records = away(tree.a, 3)
    (fourth,) = away(tree.a, 1)
    evaluate_record("secondment", fourth.pk, TODAY)
    assert flagged([*records, fourth]) == {record.pk for record in [*records, fourth]}

    # It ended before the others started.
    fourth.start_date = datetime.date(2026, 2, 1)
    fourth.planned_end_date = START - datetime.timedelta(days=1)
    fourth.save()
    evaluate_record("secondment", fourth.pk, TODAY)
    assert flagged([*records, fourth]) == set()


def test_a_sweep_opens_a_second_changes_nothing_and_a_return_clears_them(tree):
    records = away(tree.a, 4)
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 4, "reopened": 0, "cleared": 0}
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 0}

    # One of them never went: the rest are a quarter.
    records[0].start_date = datetime.date(2026, 1, 5)
    records[0].planned_end_date = datetime.date(2026, 2, 5)
    records[0].save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 4}
    assert flagged(records) == set()


def _bulk_away(count):
    unit = Unit.objects.get(code="A")
    Secondment.objects.bulk_create(
        SecondmentFactory.build(unit=unit, start_date=START + datetime.timedelta(days=i % 7), planned_end_date=END)
        for i in range(count)
    )
    ExtensionFactory(secondment=Secondment.objects.first(), new_end_date=datetime.date(2026, 7, 2))


def _find_queries(count):
    _bulk_away(count)
    rule = get_rule(CODE)
    with CaptureQueriesContext(connection) as finding:
        findings = list(rule.find(Secondment.objects.all(), rule.defaults(), TODAY))
    assert len(findings) == count  # 12 staff: everyone is away on the worst day
    Secondment.objects.all().delete()
    return len(finding.captured_queries)


def _sweep_queries(count):
    Unit.objects.filter(code="A").update(headcount=1000)
    _bulk_away(count)
    with CaptureQueriesContext(connection) as sweeping:
        sweep(TODAY, codes=[CODE])
    Secondment.objects.all().delete()
    return len(sweeping.captured_queries)


def test_finding_takes_one_query_for_10_or_200_secondments(tree):
    assert _find_queries(10) == _find_queries(200) == 1


def test_a_sweep_takes_as_many_queries_for_10_as_for_200_secondments(tree):
    assert _sweep_queries(10) == _sweep_queries(200)


def test_deleting_one_secondment_re_evaluates_the_units_others(tree):
    records = away(tree.a, 4)
    sweep(TODAY, codes=[CODE])
    gone = records.pop()
    gone_pk = gone.pk
    gone.delete()
    evaluate_record("secondment", gone_pk, TODAY)
    assert flagged(records) == set()
    assert not Violation.objects.filter(rule=CODE, record_id=gone_pk, status__in=Violation.OPEN_STATUSES).exists()
