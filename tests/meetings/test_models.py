"""The meeting model's checks on the 2024 regulation's fields."""

import pytest
from django.core.exceptions import ValidationError

from tests.record_factories.meetings import MeetingFactory


def errors_of(meeting) -> dict:
    with pytest.raises(ValidationError) as caught:
        meeting.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(("speech", "valid"), [(None, True), (0, True), (90, True), (91, False)])
def test_a_speech_lasts_at_most_as_long_as_its_meeting(tree, speech, valid):
    meeting = MeetingFactory.build(unit=tree.a, duration_minutes=90, principal_speech_minutes=speech)
    if valid:
        meeting.full_clean()
    else:
        assert list(errors_of(meeting)) == ["principal_speech_minutes"]


def test_both_errors_are_given_at_once(tree):
    meeting = MeetingFactory.build(unit=tree.a, attendees=1, accompanying=2, principal_speech_minutes=500)
    assert set(errors_of(meeting)) == {"accompanying", "principal_speech_minutes"}


def test_a_meeting_is_neither_comprehensive_nor_a_deputys_unless_told(tree):
    meeting = MeetingFactory(unit=tree.a)
    assert (meeting.comprehensive, meeting.called_by_deputy, meeting.principal_speech_minutes) == (False, False, None)
