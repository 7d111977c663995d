"""Reading what a rule flagged: the records behind its open violations, and its groups."""

from burden.models import Violation


def open_violations(code: str):
    return Violation.objects.filter(rule=code, status__in=Violation.OPEN_STATUSES).prefetch_related("members")


def records_of(violation) -> frozenset[int]:
    """The records behind a violation: its group's, or its own one record."""
    members = {member.record_id for member in violation.members.all()}
    return frozenset(members or {violation.record_id})


def groups(code: str) -> set[frozenset[int]]:
    """The record sets of the rule's open violations, one set a violation."""
    found = [records_of(violation) for violation in open_violations(code)]
    assert len(found) == len(set(found)), "two open violations for the same group"
    return set(found)


def flagged(code: str) -> set[int]:
    """Every record behind an open violation of the rule."""
    return set().union(*groups(code))
