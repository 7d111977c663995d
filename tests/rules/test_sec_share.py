"""SEC-SHARE (paper 3.5): at most a quarter of a unit's headcount seconded out on any day.

One violation per unit over the share: dated by its busiest day, anchored on the first to
start of the secondments away that day and listing them all.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from burden.models import RuleSetting, Unit, Violation
from burden.rules import get_rule
from burden.rules.engine import evaluate_record, sweep
from secondments.models import Secondment
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "SEC-SHARE"
TODAY = datetime.date(2026, 3, 1)
START = datetime.date(2026, 3, 2)
END = datetime.date(2026, 6, 2)
pytestmark = pytest.mark.django_db


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"]


def judge(how: str, record) -> None:
    """A sweep, or the evaluation that saving ``record`` triggers."""
    if how == "sweep":
        run()
    else:
        evaluate_record("secondment", record.pk, TODAY)


def ids(records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def away(unit, n, start=START, end=END, **fields):
    return [SecondmentFactory(unit=unit, start_date=start, planned_end_date=end, **fields) for _ in range(n)]


def resaved(record, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
    evaluate_record("secondment", record.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


@pytest.mark.parametrize("how", ["sweep", "save"])
def test_a_quarter_of_the_headcount_away_passes_and_one_more_is_one_violation_listing_everyone_away(tree, how):
    # Community A has 12 staff: 3 away is exactly 25 %.
    records = away(tree.a, 3)
    judge(how, records[-1])
    assert groups(CODE) == set()
    records += away(tree.a, 1)
    judge(how, records[-1])
    assert groups(CODE) == {ids(records)}
    assert Violation.objects.filter(rule=CODE).count() == 1


def test_the_violation_is_the_units_dated_by_the_busiest_day_and_anchored_on_the_first_to_start(tree):
    records = away(tree.a, 4)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == (
        "On 2026-03-02, 4 of the unit's 12 staff (33.3%) were seconded out, over the limit of 25%"
    )
    assert (violation.severity, violation.unit_id, violation.occurred_on) == ("high", tree.a.pk, START)
    assert (violation.record_id, violation.key) == (records[0].pk, "")


def test_the_first_to_start_anchors_whatever_the_order_of_entry(tree):
    records = away(tree.a, 3)
    (earliest,) = away(tree.a, 1, start=START - datetime.timedelta(days=10))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.record_id == earliest.pk
    assert records_of(violation) == ids([*records, earliest])
    assert violation.occurred_on == START  # the first day all four are away


def test_the_violation_goes_to_the_unit_that_borrowed_most_of_the_people_away(tree):
    to_street = away(tree.a, 1, source_unit=tree.s1)
    to_bureau = away(tree.a, 3, source_unit=tree.dept)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert records_of(violation) == ids(to_street + to_bureau)
    assert violation.source_unit_id == tree.dept.pk
    assert violation.details["by_source"] == {str(tree.s1.pk): 1, str(tree.dept.pk): 3}


def test_the_papers_example_nearly_a_quarter_seconded_flags_under_a_stricter_share(tree):
    # "部分基层单位近四分之一的人员被抽调": 2 of community B's 9 (22 %) pass the paper's 25 %...
    records = away(tree.b, 2)
    run()
    assert groups(CODE) == set()
    # ...and flag once an admin lowers the share to 20 %.
    RuleSetting.objects.create(rule=CODE, params={"max_percent": 20})
    run()
    assert groups(CODE) == {ids(records)}
    assert Violation.objects.get(rule=CODE).message == (
        "On 2026-03-02, 2 of the unit's 9 staff (22.2%) were seconded out, over the limit of 20%"
    )


def test_a_higher_share_set_by_an_admin_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_percent": 50})
    records = away(tree.a, 6)
    run()
    assert groups(CODE) == set()

    records += away(tree.a, 1)
    run()
    assert groups(CODE) == {ids(records)}


def test_each_unit_over_the_share_is_its_own_violation(tree):
    in_a, in_b = away(tree.a, 4), away(tree.b, 3)
    run()
    assert groups(CODE) == {ids(in_a), ids(in_b)}


def test_terms_that_follow_each_other_do_not_add_up(tree):
    away(tree.a, 3)
    away(tree.a, 1, start=END + datetime.timedelta(days=1), end=datetime.date(2026, 8, 1))
    run()
    assert groups(CODE) == set()


def test_a_term_ending_on_the_day_another_starts_overlaps_that_day(tree):
    records = away(tree.a, 3)
    same_day = away(tree.a, 1, start=END, end=datetime.date(2026, 8, 1))
    run()
    assert groups(CODE) == {ids(records + same_day)}
    violation = Violation.objects.get(rule=CODE)
    assert (violation.details["day"], violation.occurred_on) == (END.isoformat(), END)
    assert violation.record_id == records[0].pk


def test_an_early_return_ends_the_time_away(tree):
    away(tree.a, 3)
    back_early = away(tree.a, 1, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 4, 1))
    back_early[0].returned_on = datetime.date(2026, 3, 1)
    back_early[0].save()
    run()
    assert groups(CODE) == set()


def test_an_extension_lengthens_the_time_away(tree):
    records = away(tree.a, 3)
    extended = away(tree.a, 1, start=datetime.date(2026, 1, 5), end=datetime.date(2026, 3, 1))
    run()
    assert groups(CODE) == set()

    ExtensionFactory(secondment=extended[0], new_end_date=datetime.date(2026, 3, 2))
    run()
    assert groups(CODE) == {ids(records + extended)}
    assert Violation.objects.get(rule=CODE).record_id == extended[0].pk  # it started first


def test_only_the_secondments_away_on_the_busiest_day_are_listed(tree):
    records = away(tree.a, 4)
    away(tree.a, 1, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 12, 1))
    run()
    assert groups(CODE) == {ids(records)}


def test_other_units_secondments_do_not_count(tree):
    away(tree.a, 3)
    away(tree.b, 2)
    run()
    assert groups(CODE) == set()


def test_a_unit_without_a_headcount_is_not_judged(tree):
    Unit.objects.filter(pk=tree.dept.pk).update(headcount=0)  # 0: not known
    away(tree.dept, 5)
    run()
    assert groups(CODE) == set()


def test_secondments_join_and_leave_the_units_violation_and_moving_back_reopens_it(tree):
    records = away(tree.a, 4)
    evaluate_record("secondment", records[-1].pk, TODAY)
    violation = Violation.objects.get(rule=CODE)

    (fifth,) = away(tree.a, 1)
    evaluate_record("secondment", fifth.pk, TODAY)
    assert groups(CODE) == {ids([*records, fifth])}
    assert open_violations(CODE).get().pk == violation.pk
    assert Violation.objects.get(pk=violation.pk).details["count"] == 5

    before_the_others = {
        "start_date": datetime.date(2026, 2, 1),
        "planned_end_date": START - datetime.timedelta(days=1),
    }
    resaved(fifth, **before_the_others)  # it ended before the others started: four left
    assert groups(CODE) == {ids(records)}
    assert open_violations(CODE).get().pk == violation.pk
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    resaved(records[-1], **before_the_others)  # three left: a quarter
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    resaved(records[-1], start_date=START, planned_end_date=END)  # back: the same violation reopens
    assert groups(CODE) == {ids(records)}
    violation = Violation.objects.get(rule=CODE)
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_a_sweep_opens_one_changes_nothing_and_a_return_clears_it(tree):
    records = away(tree.a, 4)
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == {"opened": 0, "reopened": 0, "cleared": 0}

    # The last of them never went: the rest are a quarter.
    records[-1].start_date = datetime.date(2026, 1, 5)
    records[-1].planned_end_date = datetime.date(2026, 2, 5)
    records[-1].save()
    assert run() == {"opened": 0, "reopened": 0, "cleared": 1}
    assert groups(CODE) == set()


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
    # 12 staff: one finding for the unit, listing everyone (all away on the busiest day).
    assert [len(finding.records) for finding in findings] == [count]
    Secondment.objects.all().delete()
    return len(finding.captured_queries)


def _sweep_queries(count):
    with transaction.atomic():  # rolled back: each measure starts from the same empty state
        Unit.objects.filter(code="A").update(headcount=1000)
        _bulk_away(count)
        with CaptureQueriesContext(connection) as sweeping:
            run()
        transaction.set_rollback(True)
    return len(sweeping.captured_queries)


def test_finding_takes_one_query_for_10_or_200_secondments(tree):
    assert _find_queries(10) == _find_queries(200) == 1


def test_a_sweep_takes_as_many_queries_for_10_as_for_200_secondments(tree):
    assert _sweep_queries(10) == _sweep_queries(200)


def test_deleting_one_secondment_re_evaluates_the_units_others(tree):
    records = away(tree.a, 5)
    run()
    violation = Violation.objects.get(rule=CODE)

    def deleted(record):
        record_pk = record.pk
        record.delete()
        evaluate_record("secondment", record_pk, TODAY)

    deleted(records.pop())  # four left: the same violation, without it
    assert groups(CODE) == {ids(records)}
    assert open_violations(CODE).get().pk == violation.pk

    deleted(records.pop())  # three left: a quarter
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED
