"""The rules page groups the rules by the instrument they enforce, each citing its clause and quoting it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from burden.rules import all_rules, get_rule
from burden.rules.base import REGISTRY, Source
from burden.rules.meetings import MeetingDuration

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


class RegulationRule(MeetingDuration):
    """A rule citing the 2024 regulation, to see its group come after the paper's."""

    code = "TEST-REGULATION"
    source = Source.REGULATION_2024
    clause = "2"
    quote = gettext_lazy("Documents are generally no longer than 5,000 characters.")


@pytest.fixture
def regulation_rule(monkeypatch):
    monkeypatch.setitem(REGISTRY, RegulationRule.code, RegulationRule())
    return REGISTRY[RegulationRule.code]


def sections(page: str) -> list[str]:
    return re.findall(r'data-testid="rule-source" data-source="([^"]+)"', page)


def test_the_groups_follow_the_order_of_the_sources_each_headed_by_its_instrument(client, personas, regulation_rule):
    client.force_login(personas.staff_a)

    page = client.get(reverse("rule_list"), **ENGLISH).content.decode()

    assert sections(page) == [source for source in Source.values if any(r.source == source for r in all_rules())]
    assert sections(page).index("paper") < sections(page).index("regulation_2024")
    assert str(Source.PAPER.label) in page and str(Source.REGULATION_2024.label) in page
    # Every rule is listed once, under its own source.
    for rule in all_rules():
        assert page.count(f'data-testid="rule-row" data-code="{rule.code}"') == 1
    regulation = page[page.index('data-source="regulation_2024"') :]
    assert 'data-code="TEST-REGULATION"' in regulation.split('data-testid="rule-source"')[0]
    assert "Several Provisions (2024), art. 2" in regulation


def test_each_rule_shows_its_citation_and_its_clause_quoted_in_the_reader_s_language(
    client, personas, regulation_rule, monkeypatch
):
    # A quote the catalogue already translates, so the test reads the language, not this branch's catalogue.
    monkeypatch.setattr(RegulationRule, "quote", gettext_lazy("A meeting that lasts longer than the limit."))
    client.force_login(personas.staff_a)
    quote = str(get_rule("TRACE-BANNED").quote)  # in English, before a request switches the language

    english = client.get(reverse("rule_list"), **ENGLISH).content.decode()
    chinese = client.get(reverse("rule_list"), **CHINESE).content.decode()

    assert "Paper 4.1.3" in english
    assert f"“{quote}”" in english
    assert "“A meeting that lasts longer than the limit.”" in english
    row = chinese[chinese.index('data-code="TEST-REGULATION"') :].split("</tr>")[0]
    assert "“会议时长超过上限。”" in row
    trace = chinese[chinese.index('data-code="TRACE-BANNED"') :].split("</tr>")[0]
    assert 'data-testid="quote"' in trace and 'data-testid="citation"' in trace


def test_the_rule_page_shows_the_source_the_citation_and_the_quote(client, personas):
    client.force_login(personas.staff_a)

    page = client.get(reverse("rule_detail", args=["TRACE-BANNED"]), **ENGLISH).content.decode()

    assert re.search(r'data-testid="source">\s*The paper on burden reduction', page)
    assert 'data-testid="citation">Paper 4.1.3<' in page
    assert "no demands for photos, check-ins or written material" in page


def test_a_rule_without_a_quote_shows_no_empty_quote(client, personas, regulation_rule, monkeypatch):
    monkeypatch.setattr(RegulationRule, "quote", "")
    client.force_login(personas.staff_a)

    page = client.get(reverse("rule_detail", args=["TEST-REGULATION"]), **ENGLISH).content.decode()

    assert 'data-testid="quote"' not in page
    assert 'data-testid="citation">Several Provisions (2024), art. 2<' in page


def test_the_rules_page_reads_as_many_queries_whatever_the_number_of_rules(client, personas, regulation_rule):
    client.force_login(personas.staff_a)
    with CaptureQueriesContext(connection) as with_one_more:
        client.get(reverse("rule_list"), **ENGLISH)
    del REGISTRY[RegulationRule.code]
    with CaptureQueriesContext(connection) as without:
        client.get(reverse("rule_list"), **ENGLISH)
    REGISTRY[RegulationRule.code] = regulation_rule  # for monkeypatch to take away
    assert len(with_one_more) == len(without)


def test_the_rules_api_gives_each_rule_s_source_and_citation(personas, regulation_rule):
    api = APIClient(**ENGLISH)
    api.force_authenticate(user=personas.staff_a)

    response = api.get("/api/v1/rules/", {"page_size": 200})

    rules = {rule["code"]: rule for rule in response.data["results"]}
    assert (rules["TRACE-BANNED"]["source"], rules["TRACE-BANNED"]["citation"]) == ("paper", "Paper 4.1.3")
    assert rules["TEST-REGULATION"]["source"] == "regulation_2024"
    assert rules["TEST-REGULATION"]["clause"] == "2"  # the existing field stays
