"""A task goes through Redis to a real worker process, which reads the test database."""

import pytest

from burden.tasks import units_count
from tests.factories import UnitFactory
from tests.services.conftest import wait_until_ready

pytestmark = pytest.mark.services


def test_a_real_worker_runs_a_task_from_redis_against_the_test_database(celery_worker, live_celery):
    UnitFactory.create_batch(3)
    wait_until_ready(celery_worker)

    result = units_count.delay()

    assert not live_celery.conf.task_always_eager
    assert result.get(timeout=60) == 3, celery_worker.output()
    result.forget()


def test_a_real_worker_evaluates_a_saved_record_and_then_its_fix(celery_worker, live_celery, tree, personas):
    """A record saved through the services is flagged by the worker; fixing it clears the flag."""
    import time

    from burden.models import PendingEvaluation, Violation
    from burden.services import record_save
    from tests.record_factories.meetings import MeetingFactory

    wait_until_ready(celery_worker)
    meeting = MeetingFactory.build(unit=tree.a, duration_minutes=150)
    record_save(record=meeting, user=personas.staff_a)  # commits: transactional_db

    def status_becomes(expected):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = Violation.objects.filter(rule="MTG-DURATION", record_id=meeting.pk).values_list("status", flat=True)
            if list(found) == [expected]:
                return True
            time.sleep(0.2)
        return False

    assert status_becomes("open"), celery_worker.output()
    meeting.duration_minutes = 60
    record_save(record=meeting, user=personas.staff_a)
    assert status_becomes("cleared"), celery_worker.output()
    # The worker clears the flag first and drops the record's pending row after its other
    # rules ran: without the wait on the result store, the test can look in between.
    deadline = time.monotonic() + 10
    while PendingEvaluation.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not PendingEvaluation.objects.exists()
