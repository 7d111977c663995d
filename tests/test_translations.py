"""Both languages complete: the catalogue, and pages with nothing left in the other language."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from burden.management.commands.translations import catalogue_problems, catalogues
from burden.record_views import record_configs

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# File formats keep their own names in Chinese software too.
FORMAT_NAMES = {"Excel", "xlsx", "CSV", "UTF", "GBK"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class VisibleText(HTMLParser):
    """Collects what a reader sees or hears, skipping what the page marks as not to translate.

    Skipped: scripts and styles, elements with ``translate="no"`` (usernames, codes) and
    elements whose ``lang`` differs from the page's (each language named in itself).
    """

    def __init__(self):
        super().__init__()
        self.page_lang = None
        self.stack: list[bool] = []
        self.texts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_lang = attrs.get("lang")
            return
        skip = (
            tag in ("script", "style")
            or attrs.get("translate") == "no"
            or ("lang" in attrs and attrs["lang"] != self.page_lang)
        )
        if not (skip or self.skipping):
            self.texts.extend(attrs[name] for name in TEXT_ATTRIBUTES if attrs.get(name))
        if tag not in VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in VOID and tag != "html" and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.texts)


def test_every_catalogue_is_complete_and_compiled():
    paths = catalogues()
    assert paths, "no catalogue found"
    assert [problem for path in paths for problem in catalogue_problems(path)] == []


PAGES = [
    ("home", []),
    ("unit_list", []),
    ("unit_detail", ["S1"]),
    ("password_change", []),
    ("rule_list", []),
    ("rule_detail", ["SEC-TERM"]),
    ("review:violation_list", []),
    ("review:notification_list", []),
    ("review:notification_preferences", []),
    ("review:deadline_settings", []),
    ("insights:dashboard", []),
    ("insights:target_list", []),
    ("insights:source_ranking", []),
    ("insights:source_detail", ["D1-EDU"]),
    ("insights:report_index", []),
    ("insights:report_view", []),
] + [(config.url_name(action), []) for config in record_configs() for action in ("list", "create")]
PERSONAS = ["staff_a", "supervisor", "admin", "outsider"]


@pytest.fixture
def some_burden(tree, personas):
    """A flagged meeting and its roll-ups, so the queue, dashboards and ledger show their tables."""
    from django.core.management import call_command

    from burden.rules.engine import evaluate_record
    from tests.record_factories.meetings import MeetingFactory

    meeting = MeetingFactory(
        # A title in neither language: record data is the user's, not the interface's.
        title="0301",
        unit=tree.a,
        source_unit=tree.dept,
        duration_minutes=150,
        created_by=personas.staff_a,
    )
    evaluate_record("meeting", meeting.pk)
    call_command("rollups_rebuild", verbosity=0)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_chinese_pages_have_no_english_left(client, personas, some_burden, persona, name, args):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    if response.status_code in (403, 404):
        pytest.skip("outside this persona's units or role")
    text = visible_text(response.content.decode())
    assert [word for word in LATIN_WORD.findall(text) if word not in FORMAT_NAMES] == [], text


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_english_pages_have_no_chinese_left(client, personas, some_burden, persona, name, args):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="en")
    if response.status_code in (403, 404):
        pytest.skip("outside this persona's units or role")
    text = visible_text(response.content.decode())
    assert CJK.findall(text) == [], text


@pytest.mark.parametrize(("language", "pattern"), [("zh-hans", LATIN_WORD), ("en", CJK)])
def test_public_pages_are_in_one_language(client, db, language, pattern):
    for url in (reverse("login"), "/no-such-page/"):
        text = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert pattern.findall(text) == [], text


def test_the_text_extractor_sees_english_it_should(db):
    html = '<html lang="zh-hans"><body><p>你好 Hello</p><span translate="no">admin</span></body></html>'
    assert visible_text(html) == "你好 Hello"
