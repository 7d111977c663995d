"""DOC-MERGE (paper 4.1.1): documents of one issuer to one unit on one matter within 7 days could be one.

A run of such documents, each within the limit of the one before, is one violation:
anchored on and dated by its first document, listing every document of the run.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.documents import DocumentFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "DOC-MERGE"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
MARCH_2 = datetime.date(2026, 3, 2)
MATTER = "防汛"


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def judge(how: str, record) -> None:
    if how == "sweep":
        run()
    else:
        evaluate_record("document", record.pk, TODAY)


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def day(n: int) -> datetime.date:
    return MARCH_2 + datetime.timedelta(days=n)


def document(tree, on, **kwargs):
    return DocumentFactory(**{"unit": tree.a, "source_unit": tree.dept, "matter": MATTER, "received_on": on, **kwargs})


def moved(record, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    evaluate_record("document", record.pk, TODAY)


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize(("days_apart", "is_flagged"), [(0, True), (6, True), (7, True), (8, False)])
def test_two_documents_on_one_matter_within_seven_days_are_one_violation(tree, how, days_apart, is_flagged):
    first = document(tree, MARCH_2)
    later = document(tree, day(days_apart))
    judge(how, later)
    assert groups(CODE) == ({ids(first, later)} if is_flagged else set())


def test_the_violation_is_anchored_on_and_dated_by_the_first_and_says_the_matter(tree):
    first = document(tree, MARCH_2)
    document(tree, day(3))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.occurred_on, violation.source_unit_id) == (first.pk, MARCH_2, tree.dept.pk)
    assert violation.message == (
        "2 documents of the same issuer on 防汛 from 2026-03-02 to 2026-03-05, each within 7 days of the one "
        "before, could have been one"
    )
    rule = get_rule(CODE)
    assert (rule.source, rule.clause) == (Source.PAPER, "4.1.1")


def test_a_chain_each_within_seven_days_of_the_one_before_is_one_violation(tree):
    chain = [document(tree, MARCH_2), document(tree, day(7)), document(tree, day(14))]
    run()
    assert groups(CODE) == {ids(*chain)}
    assert Violation.objects.get(rule=CODE).details["count"] == 3


@pytest.mark.parametrize("other", ["another matter", "another issuer", "another unit", "no issuer", "no matter"])
def test_documents_on_other_matters_issuers_or_units_are_not_merged(tree, other):
    document(tree, MARCH_2)
    changes = {
        "another matter": {"matter": "垃圾分类"},
        "another issuer": {"source_unit": tree.d1},
        "another unit": {"unit": tree.b},
        "no issuer": {"source_unit": None},
        "no matter": {"matter": ""},
    }[other]
    document(tree, day(1), **changes)
    run()
    assert groups(CODE) == set()


def test_two_documents_without_a_matter_are_not_a_run(tree):
    document(tree, MARCH_2, matter="")
    document(tree, day(1), matter="")
    run()
    assert groups(CODE) == set()


def test_a_supplement_is_left_to_doc_supplement(tree):
    first = document(tree, MARCH_2)
    document(tree, day(1), parent=first, kind="supplementary")
    run()
    assert groups(CODE) == set()


def test_a_memo_on_the_same_matter_joins_the_run(tree):
    first = document(tree, MARCH_2)
    memo = document(tree, day(2), labelled_as="memo")
    run()
    assert groups(CODE) == {ids(first, memo)}


def test_the_matter_is_compared_with_its_spaces_tidied_by_the_form(tree):
    first = document(tree, MARCH_2)
    later = document(tree, day(1), matter="  防汛 ")
    later.full_clean()
    later.save()
    run()
    assert groups(CODE) == {ids(first, later)}


def test_a_shorter_window_moves_the_boundary(tree):
    first = document(tree, MARCH_2)
    at_limit = document(tree, day(3))
    document(tree, day(7))  # 4 days after the one before
    RuleSetting.objects.create(rule=CODE, params={"max_days": 3})
    run()
    assert groups(CODE) == {ids(first, at_limit)}


def test_changing_the_matter_takes_the_document_out_of_the_run_and_back(tree):
    first, second, third = document(tree, MARCH_2), document(tree, day(2)), document(tree, day(4))
    evaluate_record("document", third.pk, TODAY)
    violation = open_violations(CODE).get()
    assert records_of(violation) == ids(first, second, third)

    moved(third, matter="垃圾分类")  # off the run: the same violation, without it
    assert groups(CODE) == {ids(first, second)}
    assert open_violations(CODE).get().pk == violation.pk

    moved(second, matter="垃圾分类")  # now second and third make a run of their own; first is alone
    assert groups(CODE) == {ids(second, third)}
    assert first.pk not in records_of(open_violations(CODE).get())

    moved(second, matter=MATTER)
    moved(third, matter=MATTER)
    assert groups(CODE) == {ids(first, second, third)}


def test_sweeping_again_changes_nothing(tree):
    document(tree, MARCH_2)
    document(tree, day(1))
    assert run()["opened"] == 1
    assert run() == UNCHANGED
