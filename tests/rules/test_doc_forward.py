"""DOC-FORWARD (paper 4.1.1): a forwarding-only document with no local content."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.engine import evaluate_record, sweep
from documents.models import Document
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-FORWARD"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
K = Document.Kind


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(
    ("kind", "local_content", "is_flagged"),
    [(K.FORWARDING, False, True), (K.FORWARDING, True, False), (K.NOTICE, False, False), (K.NOTICE, True, False)],
)
def test_only_a_forwarding_document_without_local_content_is_flagged(tree, kind, local_content, is_flagged):
    document = DocumentFactory(unit=tree.a, kind=kind, has_local_content=local_content)
    run()
    assert (document.pk in flagged()) is is_flagged


def test_the_message_says_what_was_found(tree):
    DocumentFactory(unit=tree.a, kind=K.FORWARDING, has_local_content=False)
    run()
    assert Violation.objects.get(rule=CODE).message == "Only forwards another document, with no local content added"


def test_adding_local_content_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    document = DocumentFactory(unit=tree.a, kind=K.FORWARDING, has_local_content=False)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    document.has_local_content = True
    document.save()
    evaluate_record("document", document.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
