"""What the catalogue says of a rule: its title (or its code once retired), its source and citation."""

from django.utils import translation

from burden.models import Violation
from burden.rules.base import SEVERITY_RANK, Source, all_rules, rule_title, severity_rank
from tests.factories import ViolationFactory


def test_a_rules_title_is_in_the_readers_language_and_a_retired_rule_keeps_its_code():
    with translation.override("zh-hans"):
        assert rule_title("DOC-DAILY") == "单日收文过多"
    with translation.override("en"):
        assert rule_title("DOC-DAILY") == "Too many documents in a day"
    assert rule_title("OLD-RETIRED") == "OLD-RETIRED"


def test_every_rule_cites_a_known_source_and_a_clause():
    for rule in all_rules():
        assert rule.source in Source.values, rule.code
        assert rule.clause, rule.code
        assert str(rule.clause) in rule.citation, rule.code


def test_the_paper_is_cited_by_section_and_an_instrument_by_article():
    with translation.override("en"):
        assert [r.citation for r in all_rules() if r.code == "DOC-DAILY"] == ["Paper 3.1"]


def test_severities_rank_low_to_high_in_sql(db):
    for severity in ("high", "low", "medium"):
        ViolationFactory(severity=severity)
    ranked = Violation.objects.annotate(rank=severity_rank()).order_by("rank").values_list("severity", "rank")
    assert list(ranked) == [("low", 1), ("medium", 2), ("high", 3)]
    assert list(SEVERITY_RANK) == ["low", "medium", "high"]
