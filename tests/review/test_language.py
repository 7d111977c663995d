"""Every word on the review pages goes through translation; English pages have no Chinese left.

The zh-hans catalogue for these pages is written after them, so the Chinese check here
stands in a translator that turns every translatable word into a Chinese character: any
Latin word still on the page was never marked for translation.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from burden.models import ViolationEvent
from tests.factories import ViolationFactory
from tests.test_translations import CJK, FORMAT_NAMES, LATIN_WORD, visible_text

from .conftest import days_ago

PLACEHOLDER_OR_WORD = re.compile(r"%\([^)]*\)[sd]|%[sd]|[A-Za-z]+")


def _all_chinese(message):
    return PLACEHOLDER_OR_WORD.sub(lambda m: m.group(0) if m.group(0).startswith("%") else "中", str(message))


@pytest.fixture
def chinese_for_every_message(monkeypatch):
    trans = translation._trans
    monkeypatch.setattr(trans, "gettext", _all_chinese, raising=False)
    monkeypatch.setattr(trans, "pgettext", lambda context, message: _all_chinese(message), raising=False)
    monkeypatch.setattr(
        trans, "ngettext", lambda singular, plural, n: _all_chinese(singular if n == 1 else plural), raising=False
    )
    monkeypatch.setattr(
        trans,
        "npgettext",
        lambda context, singular, plural, n: _all_chinese(singular if n == 1 else plural),
        raising=False,
    )


@pytest.fixture
def review_pages(tree, personas, today):
    flag = ViolationFactory(unit=tree.a, source_unit=tree.dept, first_seen=days_ago(30))
    ViolationFactory(unit=tree.b, severity="high")
    ViolationFactory(unit=tree.a, status="waived", waiver_expires_on=today.replace(day=1).replace(year=today.year + 1))
    ViolationEvent.objects.create(violation=flag, actor=personas.staff_a, note="情况说明")
    ViolationEvent.objects.create(violation=flag, from_status="open", to_status="acknowledged", actor=personas.admin)
    return [
        ("review:violation_list", []),
        ("review:violation_list", [], {"age": "overdue", "status": "any"}),
        ("review:violation_detail", [flag.pk]),
        ("review:notification_list", []),
        ("review:notification_preferences", []),
        ("review:deadline_settings", []),
    ]


def _pages(client, user, pages, language):
    client.force_login(user)
    for name, args, *params in pages:
        response = client.get(reverse(name, args=args), params[0] if params else {}, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code in (403, 404):
            continue
        assert response.status_code == 200, name
        yield name, visible_text(response.content.decode())


@pytest.mark.parametrize("persona", ["staff_a", "supervisor", "admin"])
def test_every_word_on_the_review_pages_is_translatable(
    client, personas, review_pages, persona, chinese_for_every_message
):
    for name, text in _pages(client, getattr(personas, persona), review_pages, "zh-hans"):
        assert [word for word in LATIN_WORD.findall(text) if word not in FORMAT_NAMES] == [], (name, text)


@pytest.mark.parametrize("persona", ["staff_a", "supervisor", "admin"])
def test_english_review_pages_have_no_chinese_left(client, personas, review_pages, persona):
    for name, text in _pages(client, getattr(personas, persona), review_pages, "en"):
        leftover = [char for char in CJK.findall(text) if char not in "情况说明"]  # a person's own note
        assert leftover == [], (name, text)
