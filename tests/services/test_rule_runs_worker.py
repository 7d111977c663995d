"""A threshold change re-applied by a real worker: the run it records goes from queued to done."""

import time

import pytest
from django.urls import reverse

from tests.services.conftest import wait_until_ready

pytestmark = pytest.mark.services


def test_a_real_worker_re_applies_a_threshold_change_and_the_page_stops_polling(
    celery_worker, live_celery, tree, personas, client
):
    from burden.models import RuleRun, Violation
    from burden.rules import get_rule
    from burden.rules.engine import sweep
    from burden.rules.services import rule_update
    from tests.record_factories.meetings import MeetingFactory

    MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=["MTG-DURATION"])
    wait_until_ready(celery_worker)
    rule_update(
        rule=get_rule("MTG-DURATION"), enabled=True, params={"max_minutes": 150}, reason="试点", user=personas.admin
    )  # commits (transactional_db): the run is sent to the worker

    run = RuleRun.objects.get()
    deadline = time.monotonic() + 60
    while run.status in RuleRun.UNFINISHED and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == "done", celery_worker.output()
    assert (run.cleared, run.steps_done) == (1, run.steps_total)
    assert Violation.objects.get().status == "cleared"

    client.force_login(personas.admin)
    html = client.get(reverse("rule_run", args=["MTG-DURATION"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="done"' in html and "hx-get" not in html
    assert "0 flags opened, 1 cleared, 0 reopened" in html
