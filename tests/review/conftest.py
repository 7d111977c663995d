"""Fixtures of the review tests: a meeting logged by staff_a in community A, flags on it and elsewhere."""

import datetime

import pytest
from django.utils import timezone

from burden.review.selectors import day_start
from tests.factories import ViolationFactory
from tests.record_factories.meetings import MeetingFactory


@pytest.fixture
def meeting_a(tree, personas):
    """A meeting community A bore, logged by staff_a."""
    return MeetingFactory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)


@pytest.fixture
def flag_a(meeting_a):
    """An open flag on staff_a's meeting."""
    return ViolationFactory(record=meeting_a)


@pytest.fixture
def flag_c(tree):
    """An open flag in community C, outside the supervisor's street."""
    return ViolationFactory(record=MeetingFactory(unit=tree.c, source_unit=tree.dept))


@pytest.fixture
def today():
    return timezone.localdate()


def days_ago(days: int, today: datetime.date | None = None) -> datetime.datetime:
    """Noon, local time, ``days`` days before today."""
    today = today or timezone.localdate()
    return day_start(today - datetime.timedelta(days=days)) + datetime.timedelta(hours=12)
