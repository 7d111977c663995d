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
