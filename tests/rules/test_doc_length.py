"""DOC-LENGTH (2024 regulation, art. 2): longer than 5,000 characters, or 4,000 for a special task."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import Source, get_rule
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


@pytest.mark.parametrize(("length", "is_flagged"), [(3999, False), (4000, False), (4001, True), (4500, True)])
def test_a_special_task_document_is_flagged_when_longer_than_4000_characters(tree, length, is_flagged):
    document = DocumentFactory(unit=tree.a, length_chars=length, special_task=True)
    run()
    assert (document.pk in flagged()) is is_flagged


def test_a_4500_character_special_task_document_is_flagged_citing_the_regulation(tree):
    DocumentFactory(unit=tree.a, length_chars=4500, special_task=True)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == ("4500 characters long, over the limit of 4000 for a document deploying a special task")
    rule = get_rule(CODE)
    assert (rule.source, rule.clause) == (Source.REGULATION_2024, "2")
    assert rule.citation == "Several Provisions (2024), art. 2"


def test_the_same_length_is_within_the_limit_for_an_ordinary_document(tree):
    ordinary = DocumentFactory(unit=tree.a, length_chars=4500)
    run()
    assert ordinary.pk not in flagged()


def test_a_changed_special_task_limit_moves_only_that_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_chars_special_task": 3000})
    at_limit = DocumentFactory(unit=tree.a, length_chars=3000, special_task=True)
    over = DocumentFactory(unit=tree.a, length_chars=3001, special_task=True)
    ordinary = DocumentFactory(unit=tree.a, length_chars=4999)
    run()
    assert flagged() == {over.pk}
    assert {at_limit.pk, ordinary.pk}.isdisjoint(flagged())


def test_unticking_special_task_clears_the_violation(tree):
    document = DocumentFactory(unit=tree.a, length_chars=4500, special_task=True)
    run()
    assert flagged() == {document.pk}
    document.special_task = False
    document.save()
    evaluate_record("document", document.pk, TODAY)
    assert flagged() == set()


def test_a_memo_is_judged_like_any_document(tree):
    memo = DocumentFactory(unit=tree.a, length_chars=5001, labelled_as="memo")
    run()
    assert flagged() == {memo.pk}
