"""DOC-VETO (2024 regulation, part 6): a one-vote veto, a pledge or a standard-reaching demand on the grassroots."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.documents import DocumentFactory

CODE = "DOC-VETO"
TODAY = datetime.date(2026, 6, 30)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:document"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(("sets_veto", "is_flagged"), [(True, True), (False, False)])
def test_a_community_receiving_a_veto_or_pledge_is_flagged(tree, sets_veto, is_flagged):
    document = DocumentFactory(unit=tree.a, sets_veto_or_pledge=sets_veto)
    run()
    assert (document.pk in flagged()) is is_flagged


def test_a_street_is_grassroots_too(tree):
    document = DocumentFactory(unit=tree.s1, sets_veto_or_pledge=True)
    run()
    assert flagged() == {document.pk}


def test_a_unit_that_is_not_grassroots_is_not_flagged(tree):
    to_the_district = DocumentFactory(unit=tree.d1, sets_veto_or_pledge=True)
    to_a_bureau = DocumentFactory(unit=tree.dept, sets_veto_or_pledge=True)
    run()
    assert {to_the_district.pk, to_a_bureau.pk}.isdisjoint(flagged())


def test_a_unit_that_stops_being_grassroots_clears_the_flag_on_the_next_sweep(tree):
    document = DocumentFactory(unit=tree.s1, sets_veto_or_pledge=True)
    run()
    assert flagged() == {document.pk}
    tree.s1.is_grassroots = False
    tree.s1.save()
    run()
    assert flagged() == set()


def test_the_violation_cites_the_part_of_the_regulation(tree):
    document = DocumentFactory(unit=tree.a, sets_veto_or_pledge=True, labelled_as="white_head")
    evaluate_record("document", document.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == (
        "Sets a one-vote veto, a responsibility pledge or a standard-reaching demand on a grassroots unit"
    )
    rule = get_rule(CODE)
    assert (rule.source, rule.clause, rule.severity) == (Source.REGULATION_2024, "VI", "high")
    assert rule.citation == "Several Provisions (2024), part VI"  # its article number was not confirmed
