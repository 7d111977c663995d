"""MTG-LEADER (2024 regulation, part II, and paper 4.1.2): the top leader required without need.

Without need: the meeting is not marked essential (the paper), or a deputy leader called
it (the regulation), essential or not.
"""

import datetime

import pytest

from burden.models import Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-LEADER"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(
    ("leader_required", "essential", "is_flagged"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_only_a_required_top_leader_at_a_meeting_not_marked_essential_is_flagged(
    tree, leader_required, essential, is_flagged
):
    meeting = MeetingFactory(
        unit=tree.a, top_leader_required=leader_required, essential=essential, called_by_deputy=False
    )
    run()
    assert (meeting.pk in flagged()) is is_flagged


def test_the_message_says_what_was_found(tree):
    MeetingFactory(unit=tree.a, top_leader_required=True)
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Requires the top leader although the meeting is not marked essential"
    )


def test_marking_the_meeting_essential_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    meeting = MeetingFactory(unit=tree.a, source_unit=tree.dept, top_leader_required=True)
    assert run()["opened"] == 1
    violation = Violation.objects.get(rule=CODE)
    assert (violation.unit_id, violation.source_unit_id) == (tree.a.pk, tree.dept.pk)
    assert run() == UNCHANGED
    meeting.essential = True
    meeting.save()
    evaluate_record("meeting", meeting.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED


@pytest.mark.parametrize(
    ("leader_required", "essential", "is_flagged"),
    [(True, True, True), (True, False, True), (False, False, False), (False, True, False)],
)
def test_a_deputy_leaders_meeting_requiring_the_top_leader_is_flagged_even_when_essential(
    tree, leader_required, essential, is_flagged
):
    meeting = MeetingFactory(
        unit=tree.a, top_leader_required=leader_required, essential=essential, called_by_deputy=True
    )
    run()
    assert (meeting.pk in flagged()) is is_flagged


@pytest.mark.parametrize(
    ("essential", "message"),
    [
        (True, "Requires the top leader although a deputy leader called the meeting"),
        (False, "Requires the top leader although the meeting is not marked essential and a deputy leader called it"),
    ],
)
def test_the_message_says_which_need_was_missing(tree, essential, message):
    MeetingFactory(unit=tree.a, top_leader_required=True, essential=essential, called_by_deputy=True)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == message


def test_the_rule_cites_the_regulation(tree):
    rule = get_rule(CODE)
    assert (rule.source, rule.clause) == (Source.REGULATION_2024, "II")
    assert rule.citation == "Several Provisions (2024), part II"


def test_a_violation_found_before_reasons_were_kept_reads_as_it_did(tree):
    assert get_rule(CODE).render({}, {}) == "Requires the top leader although the meeting is not marked essential"


def test_the_principal_calling_it_instead_clears_the_violation(tree):
    meeting = MeetingFactory(unit=tree.a, top_leader_required=True, essential=True, called_by_deputy=True)
    run()
    assert flagged() == {meeting.pk}
    meeting.called_by_deputy = False
    meeting.save()
    evaluate_record("meeting", meeting.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
