"""A real worker's log lines for a task carry the id of the request that sent it."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from burden import queueing, requestid
from burden.tasks import units_count
from tests.services.conftest import wait_until_ready

pytestmark = pytest.mark.services


def test_the_worker_s_lines_for_a_task_carry_the_request_s_id(celery_worker, live_celery):
    wait_until_ready(celery_worker)
    sent = {}

    def view(request):
        sent["queued"] = queueing.task_send(units_count)
        return HttpResponse()

    request = RequestFactory().get("/", headers={"X-Request-ID": "x"})
    response = requestid.RequestIdMiddleware(view)(request)
    request_id = response.headers[requestid.HEADER]

    assert sent["queued"] is True
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "succeeded" not in celery_worker.output():
        time.sleep(0.2)
    succeeded = [line for line in celery_worker.output().splitlines() if "units_count" in line and "succeeded" in line]
    assert succeeded, celery_worker.output()
    assert request_id in succeeded[0]
