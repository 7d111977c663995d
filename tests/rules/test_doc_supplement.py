"""DOC-SUPPLEMENT (paper 4.1.1): more than one supplementary notice to one document.

One violation per document followed by too many: anchored on it (the parent) and
listing it and its supplements, which together are the burden.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from documents.models import Document
from tests.record_factories.documents import DocumentFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "DOC-SUPPLEMENT"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
FEBRUARY_2 = datetime.date(2026, 2, 2)


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


def supplements(parent, count, **fields):
    return [
        DocumentFactory(unit=parent.unit, parent=parent, kind=Document.Kind.SUPPLEMENTARY, **fields)
        for _ in range(count)
    ]


def resaved(document, **fields):
    for name, value in fields.items():
        setattr(document, name, value)
    document.save()
    evaluate_record("document", document.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize(("count", "is_flagged"), [(0, False), (1, False), (2, True), (5, True)])
def test_more_than_one_supplementary_notice_is_one_violation_on_the_parent_listing_them(tree, how, count, is_flagged):
    parent = DocumentFactory(unit=tree.a)
    added = supplements(parent, count)
    judge(how, added[-1] if added else parent)
    assert groups(CODE) == ({ids([parent, *added])} if is_flagged else set())
    assert list(Violation.objects.filter(rule=CODE).values_list("record_id", "key")) == (
        [(parent.pk, "")] if is_flagged else []
    )


def test_the_violation_is_dated_by_the_parent_and_goes_to_its_unit(tree):
    parent = DocumentFactory(unit=tree.a, received_on=FEBRUARY_2)
    supplements(parent, 2, received_on=FEBRUARY_2 + datetime.timedelta(days=20))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.occurred_on, violation.unit_id) == (FEBRUARY_2, tree.a.pk)


def test_the_violation_goes_to_the_unit_that_sent_most_of_the_notices(tree):
    # The bureau's notice, then two supplements from the street: the street piled them on.
    parent = DocumentFactory(unit=tree.a, source_unit=tree.dept)
    supplements(parent, 2, source_unit=tree.s1)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.source_unit_id == tree.s1.pk
    assert violation.details["by_source"] == {str(tree.dept.pk): 1, str(tree.s1.pk): 2}


def test_supplements_of_other_documents_do_not_count(tree):
    first, second = DocumentFactory(unit=tree.a), DocumentFactory(unit=tree.a)
    supplements(first, 1)
    supplements(second, 1)
    run()
    assert groups(CODE) == set()


def test_each_document_followed_by_too_many_is_its_own_violation(tree):
    first, second = DocumentFactory(unit=tree.a), DocumentFactory(unit=tree.b)
    of_first, of_second = supplements(first, 2), supplements(second, 3)
    run()
    assert groups(CODE) == {ids([first, *of_first]), ids([second, *of_second])}


def test_a_supplement_of_a_supplement_counts_for_its_own_parent_only(tree):
    parent = DocumentFactory(unit=tree.a)
    (supplement,) = supplements(parent, 1)
    of_supplement = supplements(supplement, 2)
    run()
    assert groups(CODE) == {ids([supplement, *of_supplement])}


def test_a_stricter_limit_flags_the_first_supplement(tree):
    parent = DocumentFactory(unit=tree.a)
    DocumentFactory(unit=tree.a)  # no supplement: at a limit of none, still within it
    added = supplements(parent, 1)
    RuleSetting.objects.create(rule=CODE, params={"max_supplements": 0})
    run()
    assert groups(CODE) == {ids([parent, *added])}
    assert Violation.objects.get(rule=CODE).message == "Followed by 1 supplementary notices, over the limit of 0"


def test_the_message_gives_the_count_and_the_limit(tree):
    supplements(DocumentFactory(unit=tree.a), 3)
    run()
    assert Violation.objects.get(rule=CODE).message == "Followed by 3 supplementary notices, over the limit of 1"


def test_supplements_join_and_leave_the_parents_violation(tree):
    parent = DocumentFactory(unit=tree.a)
    first, second = supplements(parent, 2)
    evaluate_record("document", second.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)
    assert records_of(violation) == ids([parent, first, second])

    (third,) = supplements(parent, 1)
    evaluate_record("document", third.pk, TODAY)
    assert groups(CODE) == {ids([parent, first, second, third])}
    assert open_violations(CODE).get().pk == violation.pk
    assert Violation.objects.get(pk=violation.pk).message == "Followed by 3 supplementary notices, over the limit of 1"

    third_pk = third.pk
    third.delete()
    evaluate_record("document", third_pk, TODAY)
    assert groups(CODE) == {ids([parent, first, second])}
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    resaved(second, parent=None, kind=Document.Kind.NOTICE)  # one left: within the limit
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    resaved(second, parent=parent, kind=Document.Kind.SUPPLEMENTARY)  # two again: the same violation reopens
    assert groups(CODE) == {ids([parent, first, second])}
    violation = Violation.objects.get(rule=CODE)
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_a_supplement_moved_to_another_document_leaves_one_violation_for_the_other(tree):
    left, joined = DocumentFactory(unit=tree.a), DocumentFactory(unit=tree.a)
    moving, staying = supplements(left, 2)
    of_joined = supplements(joined, 1)
    run()
    assert groups(CODE) == {ids([left, moving, staying])}
    resaved(moving, parent=joined)
    assert groups(CODE) == {ids([joined, *of_joined, moving])}
    assert Violation.objects.get(rule=CODE, record_id=left.pk).status == Violation.Status.CLEARED


def test_removing_a_supplement_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    parent = DocumentFactory(unit=tree.a)
    first, _second = supplements(parent, 2)
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == UNCHANGED
    first.delete()
    assert run() == {"opened": 0, "reopened": 0, "cleared": 1}
    assert groups(CODE) == set()
    assert run() == UNCHANGED
