"""The meeting form: the 2024 regulation's fields folded, shut while they keep their defaults."""

import pytest

from meetings.forms import MeetingForm
from tests.record_factories.meetings import MeetingFactory

FOLDED = ["comprehensive", "called_by_deputy", "principal_speech_minutes"]


def test_the_regulations_fields_are_folded_after_the_others_and_shut(tree, personas):
    layout = MeetingForm(user=personas.staff_a).layout()
    (fold,) = layout["folds"]
    assert [field.name for field in fold["fields"]] == FOLDED
    assert not fold["open"]
    assert FOLDED[0] not in {field.name for field in layout["fields"]}


@pytest.mark.parametrize(
    "values", [{"comprehensive": True}, {"called_by_deputy": True}, {"principal_speech_minutes": 40}]
)
def test_the_fold_opens_when_one_of_its_fields_is_set(tree, personas, values):
    meeting = MeetingFactory(unit=tree.a, **values)
    assert MeetingForm(user=personas.staff_a, instance=meeting).layout()["folds"][0]["open"]


def test_the_new_page_shows_the_fold_shut_with_its_help(client, tree, personas):
    client.force_login(personas.staff_a)
    page = client.get("/meetings/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<details class="border rounded px-3 py-2 mb-3" data-testid="fold">' in page
    assert "Who called it and how long the principal spoke" in page
    assert 'name="principal_speech_minutes"' in page
