"""DOC-LENGTH (paper 4.1.1): a document longer than 5000 characters."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-LENGTH"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(("length", "is_flagged"), [(0, False), (4999, False), (5000, False), (5001, True)])
def test_a_document_is_flagged_only_when_longer_than_5000_characters(tree, length, is_flagged):
    document = DocumentFactory(unit=tree.a, length_chars=length)
    run()
    assert (document.pk in flagged()) is is_flagged


def test_a_lower_limit_moves_the_boundary(tree):
    at_limit = DocumentFactory(unit=tree.a, length_chars=2000)
    over = DocumentFactory(unit=tree.a, length_chars=2001)
    RuleSetting.objects.create(rule=CODE, params={"max_chars": 2000})
    run()
    assert flagged() == {over.pk}
    assert at_limit.pk not in flagged()


def test_the_message_gives_the_length_and_the_limit(tree):
    DocumentFactory(unit=tree.a, length_chars=8000)
    run()
    assert Violation.objects.get(rule=CODE).message == "8000 characters long, over the limit of 5000"


def test_shortening_the_document_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    document = DocumentFactory(unit=tree.a, length_chars=5001)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    document.length_chars = 5000
    document.save()
    evaluate_record("document", document.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
