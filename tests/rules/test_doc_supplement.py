"""DOC-SUPPLEMENT (paper 4.1.1): more than one supplementary notice to one document; the document is flagged."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from documents.models import Document
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-SUPPLEMENT"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


def supplements(parent, count):
    return [DocumentFactory(unit=parent.unit, parent=parent, kind=Document.Kind.SUPPLEMENTARY) for _ in range(count)]


@pytest.mark.parametrize(("count", "is_flagged"), [(0, False), (1, False), (2, True), (5, True)])
def test_a_document_with_more_than_one_supplementary_notice_is_flagged(tree, count, is_flagged):
    parent = DocumentFactory(unit=tree.a)
    added = supplements(parent, count)
    run()
    assert flagged() == ({parent.pk} if is_flagged else set())
    assert not flagged() & {d.pk for d in added}


def test_supplements_of_other_documents_do_not_count(tree):
    first, second = DocumentFactory(unit=tree.a), DocumentFactory(unit=tree.a)
    supplements(first, 1)
    supplements(second, 1)
    run()
    assert flagged() == set()


def test_a_stricter_limit_flags_the_first_supplement(tree):
    parent = DocumentFactory(unit=tree.a)
    untouched = DocumentFactory(unit=tree.a)
    supplements(parent, 1)
    RuleSetting.objects.create(rule=CODE, params={"max_supplements": 0})
    run()
    assert flagged() == {parent.pk}
    assert untouched.pk not in flagged()


def test_the_message_gives_the_count_and_the_limit(tree):
    supplements(DocumentFactory(unit=tree.a), 3)
    run()
    assert Violation.objects.get(rule=CODE).message == ("Followed by 3 supplementary notices, over the limit of 1")


def test_saving_the_second_supplement_flags_its_parent(tree):
    parent = DocumentFactory(unit=tree.a)
    first, second = supplements(parent, 2)
    evaluate_record("document", second.pk, TODAY)
    assert flagged() == {parent.pk}


def test_removing_a_supplement_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    parent = DocumentFactory(unit=tree.a)
    first, _second = supplements(parent, 2)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    first.delete()
    assert run()["cleared"] == 1
    assert flagged() == set()
    assert run() == UNCHANGED
