"""Migration 0020: the old one-flag-per-record violations of the aggregate rules become one per group."""

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from burden.models import Violation, ViolationEvent
from burden.rules.engine import sweep
from tests.record_factories.documents import DocumentFactory

regroup = importlib.import_module("burden.migrations.0020_group_violations").regroup
DAY = datetime.date(2026, 3, 2)


def old_flag(document, status="open"):
    violation = Violation.objects.create(
        rule="DOC-DAILY",
        record_kind="document",
        record_id=document.pk,
        unit=document.unit,
        source_unit=document.source_unit,
        status=status,
        details={"count": 11, "date": DAY.isoformat(), "max_per_day": 10},
        occurred_on=DAY,
        last_seen=timezone.now(),
    )
    ViolationEvent.objects.create(violation=violation, from_status="", to_status="open")
    return violation


def test_a_days_old_flags_become_one_group_keeping_the_most_reviewed_status_and_its_timeline(tree):
    documents = [DocumentFactory(unit=tree.a, received_on=DAY) for _ in range(11)]
    flags = [old_flag(document) for document in documents]
    Violation.objects.filter(pk=flags[4].pk).update(status="acknowledged")
    ViolationEvent.objects.create(violation=flags[4], from_status="open", to_status="acknowledged", note="已知悉")
    other_day = DocumentFactory(unit=tree.b, received_on=DAY)
    old_flag(other_day)

    regroup(apps, None)

    kept = Violation.objects.get(unit=tree.a)
    assert (kept.pk, kept.status, kept.key) == (flags[4].pk, "acknowledged", DAY.isoformat())
    assert {member.record_id for member in kept.members.all()} == {d.pk for d in documents}
    assert [event.to_status for event in kept.events.all()] == ["open", "acknowledged"]
    assert Violation.objects.get(unit=tree.b).members.count() == 1

    # The next sweep moves the group onto its first document and keeps the review.
    sweep(datetime.date(2026, 6, 30), codes=["DOC-DAILY"])
    group = Violation.objects.get(unit=tree.a, rule="DOC-DAILY")
    assert (group.pk, group.status, group.record_id) == (flags[4].pk, "acknowledged", documents[0].pk)
    assert Violation.objects.get(unit=tree.b).status == "cleared"  # one document is no overloaded day
