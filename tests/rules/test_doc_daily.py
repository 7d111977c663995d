"""DOC-DAILY (paper 3.1): a unit receives more than 10 documents in a day.

The day is the burden: one violation per unit-day over the limit, keyed and dated by the
day, anchored on the day's first document and listing every document of it.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from burden.models import RuleSetting, Violation
from burden.rules.base import get_rule
from burden.rules.engine import evaluate_record, sweep
from documents.models import Document
from tests.record_factories.documents import DocumentFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "DOC-DAILY"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
MARCH_2 = datetime.date(2026, 3, 2)
MARCH_3 = MARCH_2 + datetime.timedelta(days=1)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def judge(how: str, document) -> None:
    """A sweep, or the evaluation that saving ``document`` triggers."""
    if how == "sweep":
        run()
    else:
        evaluate_record("document", document.pk, TODAY)


def ids(records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def documents(unit, count, day=MARCH_2, **fields):
    return [DocumentFactory(unit=unit, received_on=day, **fields) for _ in range(count)]


def moved(document, day):
    document.received_on = day
    document.save()
    evaluate_record("document", document.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize(("count", "is_flagged"), [(9, False), (10, False), (11, True), (14, True)])
def test_more_than_ten_documents_in_a_day_is_one_violation_listing_every_document(tree, how, count, is_flagged):
    received = documents(tree.a, count)
    judge(how, received[-1])
    assert groups(CODE) == ({ids(received)} if is_flagged else set())
    assert Violation.objects.filter(rule=CODE).count() == (1 if is_flagged else 0)


def test_the_violation_is_anchored_on_the_days_first_document_and_dated_by_the_day(tree):
    received = documents(tree.a, 11)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_kind, violation.record_id, violation.key) == ("document", received[0].pk, "2026-03-02")
    assert (violation.unit_id, violation.occurred_on) == (tree.a.pk, MARCH_2)
    assert violation.details["count"] == 11


def test_the_count_is_per_unit_and_per_day(tree):
    documents(tree.a, 10)
    documents(tree.a, 10, day=MARCH_3)
    documents(tree.b, 5)
    run()
    assert groups(CODE) == set()


def test_each_day_over_the_limit_is_its_own_violation(tree):
    busy = documents(tree.a, 11)
    busy_next_day = documents(tree.a, 12, day=MARCH_3)
    busy_elsewhere = documents(tree.b, 11)
    documents(tree.a, 3, day=MARCH_3 + datetime.timedelta(days=1))
    run()
    assert groups(CODE) == {ids(busy), ids(busy_next_day), ids(busy_elsewhere)}
    dated = set(open_violations(CODE).values_list("unit_id", "occurred_on", "record_id"))
    assert dated == {
        (tree.a.pk, MARCH_2, busy[0].pk),
        (tree.a.pk, MARCH_3, busy_next_day[0].pk),
        (tree.b.pk, MARCH_2, busy_elsewhere[0].pk),
    }


def test_the_message_gives_the_count_the_day_and_the_limit(tree):
    documents(tree.a, 11)
    run()
    assert Violation.objects.get(rule=CODE).message == "Received 11 documents on 2026-03-02, over the limit of 10"


def test_the_day_goes_to_the_unit_that_sent_most_of_its_documents(tree):
    # 4 from the street first, then 8 from the bureau: the bureau caused the day.
    documents(tree.a, 4, source_unit=tree.s1)
    documents(tree.a, 8, source_unit=tree.dept)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.source_unit_id == tree.dept.pk
    assert violation.details["by_source"] == {str(tree.s1.pk): 4, str(tree.dept.pk): 8}


def test_on_a_tie_the_day_goes_to_the_sender_of_its_first_document(tree):
    documents(tree.a, 6, source_unit=tree.s1)
    documents(tree.a, 6, source_unit=tree.dept)
    run()
    assert Violation.objects.get(rule=CODE).source_unit_id == tree.s1.pk


def test_a_lower_limit_moves_the_boundary(tree):
    documents(tree.a, 5)  # at the limit
    over = documents(tree.b, 6)
    RuleSetting.objects.create(rule=CODE, params={"max_per_day": 5})
    run()
    assert groups(CODE) == {ids(over)}
    assert Violation.objects.get(rule=CODE).message == "Received 6 documents on 2026-03-02, over the limit of 5"


def test_a_document_saved_onto_a_flagged_day_joins_its_violation(tree):
    earlier = documents(tree.a, 10)
    evaluate_record("document", earlier[-1].pk, TODAY)
    assert groups(CODE) == set()
    (eleventh,) = documents(tree.a, 1)
    evaluate_record("document", eleventh.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)
    assert records_of(violation) == ids([*earlier, eleventh])

    (twelfth,) = documents(tree.a, 1)
    evaluate_record("document", twelfth.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)  # still the one violation
    assert records_of(violation) == ids([*earlier, eleventh, twelfth])
    assert violation.message == "Received 12 documents on 2026-03-02, over the limit of 10"
    assert timeline(violation) == [("", "open")]


def test_documents_moved_off_the_day_leave_its_violation_and_moved_back_reopen_it(tree):
    received = documents(tree.a, 12)
    run()
    violation = Violation.objects.get(rule=CODE)

    moved(received[5], MARCH_3)  # 11 left: the same violation, without it
    assert groups(CODE) == {ids(received) - {received[5].pk}}
    assert open_violations(CODE).get().pk == violation.pk
    assert Violation.objects.get(pk=violation.pk).details["count"] == 11

    moved(received[6], MARCH_3)  # 10 left: no longer over the limit
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    moved(received[6], MARCH_2)  # 11 again: the same violation reopens
    assert groups(CODE) == {ids(received) - {received[5].pk}}
    violation = Violation.objects.get(rule=CODE)  # no second one was opened
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_a_document_deleted_from_the_day_leaves_its_violation(tree):
    received = documents(tree.a, 12)
    run()
    violation = Violation.objects.get(rule=CODE)
    gone = received.pop(3)
    gone_pk = gone.pk
    gone.delete()
    evaluate_record("document", gone_pk, TODAY)
    assert groups(CODE) == {ids(received)}
    assert open_violations(CODE).get().pk == violation.pk
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    gone = received.pop(3)
    gone_pk = gone.pk
    gone.delete()
    evaluate_record("document", gone_pk, TODAY)
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED


def test_when_the_first_document_leaves_the_day_the_next_one_anchors_its_violation(tree):
    received = documents(tree.a, 12)
    run()
    moved(received[0], MARCH_3)
    (violation,) = open_violations(CODE)
    assert violation.record_id == received[1].pk
    assert records_of(violation) == ids(received[1:])


def test_back_to_ten_a_day_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    received = documents(tree.a, 11)
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == UNCHANGED
    received[0].received_on = MARCH_3
    received[0].save()
    assert run() == {"opened": 0, "reopened": 0, "cleared": 1}
    assert groups(CODE) == set()
    assert run() == UNCHANGED


def _sweep_queries(tree, count: int, busy_days: int) -> tuple[int, int]:
    """Queries of a first and a second sweep over ``count`` documents.

    With a limit of one a day, the first ``busy_days`` days get two documents each
    (one violation a day) and every other document has a day of its own.
    """
    with transaction.atomic():  # rolled back: each measure starts from the same empty state
        RuleSetting.objects.update_or_create(rule=CODE, defaults={"params": {"max_per_day": 1}})
        days = [day for day in range(busy_days) for _twice in range(2)]
        days += range(busy_days, busy_days + count - len(days))
        Document.objects.bulk_create(
            [DocumentFactory.build(unit=tree.a, received_on=MARCH_2 + datetime.timedelta(days=day)) for day in days]
        )
        with CaptureQueriesContext(connection) as first:
            assert run()["opened"] == busy_days
        assert sum(len(group) for group in groups(CODE)) == 2 * busy_days
        with CaptureQueriesContext(connection) as again:
            assert run() == UNCHANGED
        transaction.set_rollback(True)
    return len(first), len(again)


def test_a_sweep_issues_as_many_queries_for_200_documents_as_for_10(tree):
    # The same two offenders among 10 or 200 documents: finding them is one query either way.
    assert _sweep_queries(tree, 10, busy_days=1) == _sweep_queries(tree, 200, busy_days=1)


def test_sweeping_again_issues_as_many_queries_for_200_documents_behind_violations_as_for_10(tree):
    # Every document behind a violation. (The first sweep's INSERTs of new violations are batched
    # by the database backend — SQLite takes about 90 rows a statement — so only the second is compared.)
    assert _sweep_queries(tree, 10, busy_days=5)[1] == _sweep_queries(tree, 200, busy_days=100)[1]


# --- Counting that resists relabeling (2024 regulation, part 一) --------------------------


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize("label", ["memo", "white_head", "other"])
def test_a_relabelled_document_that_takes_the_day_past_ten_is_flagged(tree, how, label):
    ten = documents(tree.a, 10)
    evaluate_record("document", ten[-1].pk, TODAY)
    assert groups(CODE) == set()
    (relabelled,) = documents(tree.a, 1, labelled_as=label)
    judge(how, relabelled)
    violation = Violation.objects.get(rule=CODE)
    assert records_of(violation) == ids([*ten, relabelled])
    assert violation.message == (
        "Received 11 documents on 2026-03-02, over the limit of 10; 1 of them issued as white-headed documents, "
        "memos or notice slips count all the same (Several Provisions (2024), art. 1)"
    )
    assert get_rule(CODE).citation == "Paper 3.1"


def test_a_day_of_memos_counts_as_much_as_a_day_of_red_headed_documents(tree):
    memos = documents(tree.a, 11, labelled_as="memo")
    documents(tree.b, 11)
    run()
    assert len(groups(CODE)) == 2
    assert ids(memos) in groups(CODE)
    relabelled = {violation.unit_id: violation.details["relabelled"] for violation in open_violations(CODE)}
    assert relabelled == {tree.a.pk: 11, tree.b.pk: 0}
    assert Violation.objects.get(rule=CODE, unit=tree.b).message == (
        "Received 11 documents on 2026-03-02, over the limit of 10"
    )


def test_a_bundled_memo_counts_its_matters_among_the_relabelled(tree):
    documents(tree.a, 8)
    documents(tree.a, 1, labelled_as="memo", matters=3)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.details["count"], violation.details["relabelled"]) == (11, 3)


@pytest.mark.parametrize(("bundled", "is_flagged"), [(1, False), (2, True)])
def test_a_document_bundling_matters_counts_each_of_them(tree, bundled, is_flagged):
    nine = documents(tree.a, 9)
    (bundle,) = documents(tree.a, 1, matters=bundled)  # 9 + 1 or 9 + 2 documents' worth
    run()
    assert groups(CODE) == ({ids([*nine, bundle])} if is_flagged else set())
    if is_flagged:
        assert Violation.objects.get(rule=CODE).details["count"] == 11


def test_bundles_alone_can_take_the_day_past_the_limit_and_the_message_counts_their_matters(tree):
    documents(tree.a, 2, matters=5)  # 10: at the limit
    documents(tree.b, 2, matters=5)
    (extra,) = documents(tree.b, 1, matters=1)
    run()
    assert len(groups(CODE)) == 1
    assert Violation.objects.get(rule=CODE).message == "Received 11 documents on 2026-03-02, over the limit of 10"


def test_a_bundle_weighs_its_matters_when_the_day_goes_to_a_sender(tree):
    documents(tree.a, 6, source_unit=tree.s1)
    documents(tree.a, 2, source_unit=tree.dept, matters=4)  # 8 matters against 6
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.source_unit_id == tree.dept.pk
    assert violation.details["by_source"] == {str(tree.s1.pk): 6, str(tree.dept.pk): 8}


def test_unbundling_below_the_limit_clears_the_day_and_a_lower_limit_counts_matters_too(tree):
    documents(tree.a, 3)
    (bundle,) = documents(tree.a, 1, matters=3)  # 6
    RuleSetting.objects.create(rule=CODE, params={"max_per_day": 5})
    run()
    assert len(groups(CODE)) == 1
    bundle.matters = 2  # 5: at the lower limit
    bundle.save()
    evaluate_record("document", bundle.pk, TODAY)
    assert groups(CODE) == set()
