"""DOC-DAILY (paper 3.1): a unit receives more than 10 documents in a day; every document of that day is flagged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from documents.models import Document
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-DAILY"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
MARCH_2 = datetime.date(2026, 3, 2)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


def documents(unit, count, day=MARCH_2):
    return [DocumentFactory(unit=unit, received_on=day) for _ in range(count)]


@pytest.mark.parametrize(("count", "is_flagged"), [(9, False), (10, False), (11, True), (14, True)])
def test_more_than_ten_documents_in_a_day_flags_every_document_of_that_day(tree, count, is_flagged):
    received = documents(tree.a, count)
    run()
    assert flagged() == ({d.pk for d in received} if is_flagged else set())


def test_the_count_is_per_unit_and_per_day(tree):
    documents(tree.a, 10)
    documents(tree.a, 10, day=MARCH_2 + datetime.timedelta(days=1))
    documents(tree.b, 5)
    run()
    assert flagged() == set()


def test_only_the_day_over_the_limit_is_flagged(tree):
    busy = documents(tree.a, 11)
    documents(tree.a, 3, day=MARCH_2 + datetime.timedelta(days=1))
    documents(tree.b, 3)
    run()
    assert flagged() == {d.pk for d in busy}


def test_the_message_gives_the_count_the_day_and_the_limit(tree):
    documents(tree.a, 11)
    run()
    messages = {violation.message for violation in Violation.objects.filter(rule=CODE)}
    assert messages == {"Received 11 documents on 2026-03-02, over the limit of 10"}


def test_a_lower_limit_moves_the_boundary(tree):
    at_limit = documents(tree.a, 5)
    over = documents(tree.b, 6)
    RuleSetting.objects.create(rule=CODE, params={"max_per_day": 5})
    run()
    assert flagged() == {d.pk for d in over}
    assert not flagged() & {d.pk for d in at_limit}


def test_saving_the_eleventh_document_flags_the_whole_day(tree):
    earlier = documents(tree.a, 10)
    evaluate_record("document", earlier[-1].pk, TODAY)
    assert flagged() == set()
    eleventh = DocumentFactory(unit=tree.a, received_on=MARCH_2)
    evaluate_record("document", eleventh.pk, TODAY)
    assert flagged() == {d.pk for d in [*earlier, eleventh]}


def test_back_to_ten_a_day_clears_every_violation_and_sweeping_again_changes_nothing(tree):
    received = documents(tree.a, 11)
    assert run()["opened"] == 11
    assert run() == UNCHANGED
    moved = received[0]
    moved.received_on = MARCH_2 + datetime.timedelta(days=1)
    moved.save()
    assert run()["cleared"] == 11
    assert flagged() == set()
    assert run() == UNCHANGED


def _sweep_queries(tree, count: int, busy_days: int) -> tuple[int, int]:
    """Queries of a first and a second sweep over ``count`` documents.

    With a limit of one a day, the first ``busy_days`` days get two documents each
    (both flagged) and every other document has a day of its own.
    """
    RuleSetting.objects.update_or_create(rule=CODE, defaults={"params": {"max_per_day": 1}})
    days = [day for day in range(busy_days) for _twice in range(2)]
    days += range(busy_days, busy_days + count - len(days))
    Document.objects.bulk_create(
        [DocumentFactory.build(unit=tree.a, received_on=MARCH_2 + datetime.timedelta(days=day)) for day in days]
    )
    with CaptureQueriesContext(connection) as first:
        assert run()["opened"] == 2 * busy_days
    with CaptureQueriesContext(connection) as again:
        assert run() == UNCHANGED
    Violation.objects.all().delete()
    Document.objects.all().delete()
    return len(first), len(again)


def test_a_sweep_issues_as_many_queries_for_200_documents_as_for_10(tree):
    # The same two offenders among 10 or 200 documents: finding them is one query either way.
    assert _sweep_queries(tree, 10, busy_days=1) == _sweep_queries(tree, 200, busy_days=1)


def test_sweeping_again_issues_as_many_queries_for_200_violations_as_for_10(tree):
    # Every document flagged. (The first sweep's INSERTs of new violations are batched by the
    # database backend — SQLite takes about 90 rows a statement — so only the second is compared.)
    assert _sweep_queries(tree, 10, busy_days=5)[1] == _sweep_queries(tree, 200, busy_days=100)[1]
