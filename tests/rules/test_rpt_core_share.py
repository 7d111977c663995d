"""RPT-CORE-SHARE (paper 4.3.3): a report's core content is no less than 80 % of it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from burden.models import RuleSetting, Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from datarequests.models import DataRequest
from tests.record_factories.datarequests import DataRequestFactory
from tests.rules.groups import flagged

CODE = "RPT-CORE-SHARE"
TODAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def report(unit, share, kind=DataRequest.Kind.REPORT):
    return DataRequestFactory(unit=unit, kind=kind, core_share_percent=share, frequency="monthly")


def test_a_report_of_exactly_eighty_percent_passes_and_seventy_nine_flags(tree):
    at_minimum = report(tree.a, 80)
    under = report(tree.a, 79)
    above = report(tree.a, 95)
    sweep(TODAY, codes=[CODE])
    assert flagged(CODE) == {under.pk}
    assert not flagged(CODE) & {at_minimum.pk, above.pk}
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == "Core content is 79% of the report, under the minimum of 80%"
    rule = get_rule(CODE)
    assert rule.source == Source.PAPER and rule.citation == "Paper 4.3.3"


def test_a_report_without_a_share_given_passes(tree):
    report(tree.a, None)
    sweep(TODAY, codes=[CODE])
    assert flagged(CODE) == set()


def test_a_changed_minimum_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"min_core_percent": 70})
    at_minimum = report(tree.a, 70)
    under = report(tree.a, 69)
    seventy_nine = report(tree.a, 79)
    sweep(TODAY, codes=[CODE])
    assert flagged(CODE) == {under.pk}
    assert not flagged(CODE) & {at_minimum.pk, seventy_nine.pk}


def test_raising_the_share_clears_the_flag(tree):
    record = report(tree.a, 50)
    sweep(TODAY, codes=[CODE])
    record.core_share_percent = 85
    record.save()
    evaluate_record("data_request", record.pk, TODAY)
    assert flagged(CODE) == set()
    assert Violation.objects.get(rule=CODE).status == Violation.Status.CLEARED


def test_only_a_report_has_a_share_of_core_content(tree):
    with pytest.raises(ValidationError) as raised:
        DataRequestFactory.build(unit=tree.a, kind=DataRequest.Kind.DATA, core_share_percent=50).full_clean()
    assert "core_share_percent" in raised.value.message_dict


def test_a_share_over_a_hundred_is_refused(tree):
    with pytest.raises(ValidationError) as raised:
        DataRequestFactory.build(unit=tree.a, kind=DataRequest.Kind.REPORT, core_share_percent=101).full_clean()
    assert "core_share_percent" in raised.value.message_dict
