"""DR-DUPLICATE (paper 4.2.2): an item collected from a unit is not asked again within 90 days.

A run of requests asking a unit for the same item, each within the window of the one
before, is one violation per item: keyed by the item, anchored on (and dated by) the
run's first request and listing every request of the run.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from datarequests.models import DataRequestItem
from tests.record_factories.datarequests import CatalogueItemFactory, DataRequestFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "DR-DUPLICATE"
FIRST = datetime.date(2026, 1, 5)
DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 6, 1)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
pytestmark = pytest.mark.django_db


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"]


def judge(how: str, record) -> None:
    """A sweep, or the evaluation that saving ``record`` triggers."""
    if how == "sweep":
        run()
    else:
        evaluate_record("data_request", record.pk, TODAY)


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def by_item() -> dict[str, frozenset[int]]:
    """The requests behind each open violation, by the item it is keyed by (one violation an item here)."""
    found = [(violation.key, records_of(violation)) for violation in open_violations(CODE)]
    assert len(found) == len(dict(found))
    return dict(found)


@pytest.fixture
def population(tree):
    return CatalogueItemFactory(code="POP-001", name="常住人口", owner_unit=tree.dept)


def request(unit, date, free_text=(), catalogue=(), **fields):
    record = DataRequestFactory(unit=unit, date=date, items=list(free_text), **fields)
    for position, item in enumerate(catalogue, start=len(free_text)):
        DataRequestItem.objects.create(request=record, catalogue_item=item, name=item.name, position=position)
    return record


def redated(record, date):
    record.date = date
    record.deadline = date + 10 * DAY
    record.save()
    evaluate_record("data_request", record.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize(("days_later", "is_flagged"), [(0, True), (89, True), (90, True), (91, False)])
def test_an_item_asked_again_within_90_days_is_one_violation_listing_both_requests(
    tree, population, how, days_later, is_flagged
):
    first = request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + days_later * DAY, catalogue=[population])
    judge(how, again)
    assert groups(CODE) == ({ids(first, again)} if is_flagged else set())
    assert list(Violation.objects.filter(rule=CODE).values_list("record_id", "key")) == (
        [(first.pk, f"catalogue:{population.pk}")] if is_flagged else []
    )


def test_the_violation_is_anchored_on_and_dated_by_the_first_request_and_says_the_run(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    request(tree.a, FIRST + 90 * DAY, catalogue=[population])
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.occurred_on, violation.unit_id) == (first.pk, FIRST, tree.a.pk)
    assert violation.message == (
        "POP-001 常住人口 was asked of this unit 2 times from 2026-01-05 to 2026-04-05, each time within 90 days "
        "of the time before"
    )


def test_the_violation_goes_to_the_requester_of_the_repeat_not_of_the_first_request(tree, population):
    request(tree.a, FIRST, catalogue=[population], source_unit=tree.dept)
    request(tree.a, FIRST + 10 * DAY, catalogue=[population], source_unit=tree.s1)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.source_unit_id == tree.s1.pk
    assert violation.details["by_source"] == {str(tree.dept.pk): 0, str(tree.s1.pk): 1}


def test_the_violation_goes_to_the_requester_of_most_of_the_repeats(tree, population):
    # The bureau asked first and once again, the street twice again: the street repeated it most.
    request(tree.a, FIRST, catalogue=[population], source_unit=tree.dept)
    request(tree.a, FIRST + 10 * DAY, catalogue=[population], source_unit=tree.s1)
    request(tree.a, FIRST + 20 * DAY, catalogue=[population], source_unit=tree.dept)
    request(tree.a, FIRST + 30 * DAY, catalogue=[population], source_unit=tree.s1)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.source_unit_id == tree.s1.pk
    assert violation.details["by_source"] == {str(tree.dept.pk): 1, str(tree.s1.pk): 2}


def test_the_same_item_asked_of_another_unit_passes(tree, population):
    request(tree.a, FIRST, catalogue=[population])
    request(tree.b, FIRST + 10 * DAY, catalogue=[population])
    run()
    assert groups(CODE) == set()


def test_free_text_items_repeat_when_their_names_are_the_same(tree):
    first = request(tree.a, FIRST, free_text=["独居老人台账", "低保户名单"])
    again = request(tree.a, FIRST + 30 * DAY, free_text=["独居老人台账", "退役军人名单"])
    run()
    assert by_item() == {"name:独居老人台账": ids(first, again)}


def test_each_repeated_item_is_its_own_violation(tree, population):
    first = request(tree.a, FIRST, free_text=["独居老人台账"], catalogue=[population])
    again = request(tree.a, FIRST + 30 * DAY, free_text=["独居老人台账"], catalogue=[population])
    run()
    assert by_item() == {"name:独居老人台账": ids(first, again), f"catalogue:{population.pk}": ids(first, again)}


def test_on_the_same_day_the_request_entered_first_anchors_and_the_later_is_the_repeat(tree, population):
    first = request(tree.a, FIRST, catalogue=[population], source_unit=tree.dept)
    second = request(tree.a, FIRST, catalogue=[population], source_unit=tree.s1)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.source_unit_id) == (first.pk, tree.s1.pk)
    assert records_of(violation) == ids(first, second)


def test_the_order_is_by_date_not_by_entry(tree, population):
    later = request(tree.a, FIRST + 10 * DAY, catalogue=[population])
    earlier = request(tree.a, FIRST, catalogue=[population])
    run()
    assert Violation.objects.get(rule=CODE).record_id == earlier.pk
    assert groups(CODE) == {ids(earlier, later)}


def test_an_item_listed_twice_in_one_request_is_not_a_repeat(tree):
    request(tree.a, FIRST, free_text=["独居老人台账", "独居老人台账"])
    run()
    assert groups(CODE) == set()


def test_a_chain_of_requests_each_within_90_days_of_the_one_before_is_one_violation(tree, population):
    # 180 days from the first to the last, but never more than 90 between two.
    chain = [request(tree.a, FIRST + days * DAY, catalogue=[population]) for days in (0, 90, 180)]
    run()
    assert groups(CODE) == {ids(*chain)}
    assert Violation.objects.get(rule=CODE).details["count"] == 3


def test_a_gap_of_more_than_90_days_starts_a_new_run(tree, population):
    first_run = [request(tree.a, FIRST + days * DAY, catalogue=[population]) for days in (0, 30)]
    alone = request(tree.a, FIRST + 121 * DAY, catalogue=[population])  # 91 days after the one before
    second_run = [request(tree.a, FIRST + days * DAY, catalogue=[population]) for days in (212, 250)]
    run()
    assert groups(CODE) == {ids(*first_run), ids(*second_run)}
    assert alone.pk not in set().union(*groups(CODE))
    assert set(open_violations(CODE).values_list("key", flat=True)) == {f"catalogue:{population.pk}"}


def test_a_long_free_text_name_gets_a_short_key(tree):
    name = "某街道" + "各社区独居老人及困难群众基本信息台账" * 5
    request(tree.a, FIRST, free_text=[name])
    request(tree.a, FIRST + DAY, free_text=[name])
    run()
    (key,) = by_item()
    assert len(key) <= 64 and key.startswith("name#")


def test_a_window_set_by_an_admin_moves_the_boundary(tree, population):
    RuleSetting.objects.create(rule=CODE, params={"days": 30})
    first = request(tree.a, FIRST, catalogue=[population])
    at_30_days = request(tree.a, FIRST + 30 * DAY, catalogue=[population])
    request(tree.b, FIRST, catalogue=[population])
    request(tree.b, FIRST + 31 * DAY, catalogue=[population])
    run()
    assert groups(CODE) == {ids(first, at_30_days)}
    assert Violation.objects.get(rule=CODE).message.endswith("each time within 30 days of the time before")


def test_requests_join_and_leave_the_run_and_moving_back_reopens_its_violation(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 10 * DAY, catalogue=[population])
    evaluate_record("data_request", again.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)

    third = request(tree.a, FIRST + 20 * DAY, catalogue=[population])
    evaluate_record("data_request", third.pk, TODAY)
    assert groups(CODE) == {ids(first, again, third)}
    assert open_violations(CODE).get().pk == violation.pk
    assert Violation.objects.get(pk=violation.pk).details["count"] == 3

    redated(third, FIRST + 200 * DAY)  # off the run: the same violation, without it
    assert groups(CODE) == {ids(first, again)}
    assert open_violations(CODE).get().pk == violation.pk
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    redated(again, FIRST + 95 * DAY)  # 95 days after the first: no longer a repeat of it
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    redated(again, FIRST + 90 * DAY)  # back within the window: the same violation reopens
    assert groups(CODE) == {ids(first, again)}
    violation = Violation.objects.get(rule=CODE)
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_saving_the_earlier_request_re_judges_the_later_ones(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 10 * DAY, catalogue=[population])
    evaluate_record("data_request", first.pk, TODAY)
    assert groups(CODE) == {ids(first, again)}

    redated(first, FIRST - 100 * DAY)
    assert groups(CODE) == set()


def test_a_sweep_opens_one_changes_nothing_and_moving_the_request_clears_it(tree, population):
    request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 90 * DAY, catalogue=[population])
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == UNCHANGED

    again.date = FIRST + 91 * DAY
    again.deadline = again.date + 10 * DAY
    again.save()
    assert run() == {"opened": 0, "reopened": 0, "cleared": 1}
    assert groups(CODE) == set()


def test_deleting_the_earlier_request_clears_the_violation(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    request(tree.a, FIRST + 10 * DAY, catalogue=[population])
    run()
    first_pk = first.pk
    first.delete()
    evaluate_record("data_request", first_pk, TODAY)
    assert groups(CODE) == set()
    assert Violation.objects.get(rule=CODE).status == Violation.Status.CLEARED
