"""DOC-REPORT-BACK (2024 regulation, part I): a document demanding a report on its implementation."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-REPORT-BACK"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(("demands", "is_flagged"), [(True, True), (False, False)])
def test_only_a_document_demanding_a_report_back_is_flagged(tree, demands, is_flagged):
    document = DocumentFactory(unit=tree.a, demands_report_back=demands)
    run()
    assert (document.pk in flagged()) is is_flagged


@pytest.mark.parametrize("label", ["red_head", "white_head", "memo", "other"])
def test_whatever_the_issuer_called_it(tree, label):
    document = DocumentFactory(unit=tree.a, demands_report_back=True, labelled_as=label)
    run()
    assert flagged() == {document.pk}


def test_the_violation_cites_the_article_and_goes_to_the_issuer(tree):
    DocumentFactory(unit=tree.a, source_unit=tree.dept, demands_report_back=True)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == "Demands a report on its implementation or supporting documents"
    assert violation.source_unit_id == tree.dept.pk
    rule = get_rule(CODE)
    assert (rule.source, rule.clause) == (Source.REGULATION_2024, "I")
    assert str(rule.quote)


def test_dropping_the_demand_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    document = DocumentFactory(unit=tree.a, demands_report_back=True)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    document.demands_report_back = False
    document.save()
    evaluate_record("document", document.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
