"""DOC-EMPTY (paper 4.1.1): a document declared without substantive content."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-EMPTY"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(("substantive", "is_flagged"), [(False, True), (True, False)])
def test_only_a_document_without_substantive_content_is_flagged(tree, substantive, is_flagged):
    document = DocumentFactory(unit=tree.a, substantive=substantive)
    run()
    assert (document.pk in flagged()) is is_flagged


def test_the_message_says_what_was_found(tree):
    DocumentFactory(unit=tree.a, substantive=False)
    run()
    assert Violation.objects.get(rule=CODE).message == "Issued without substantive content"


def test_marking_it_substantive_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    document = DocumentFactory(unit=tree.a, substantive=False)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    document.substantive = True
    document.save()
    evaluate_record("document", document.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
