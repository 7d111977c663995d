"""The test-only kind, seen by the core: run with ``--ds=tests.kindapp.settings`` (see
``tests/records/test_a_kind_from_a_test_app.py``, which does). Not named ``test_*`` so
that the suite, whose settings do not install the app, does not collect it."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from burden.insights.models import MonthlyRollup
from burden.insights.rollups import record_models as rollup_models
from burden.insights.rollups import rollups_rebuild
from burden.models import Violation
from burden.record_views import record_configs
from burden.records.registry import kind_for, kinds
from burden.rules.engine import rules_for, sweep
from tests.kindapp.models import Lunch

DAY = datetime.date(2026, 3, 2)


def lunch(tree, **fields) -> Lunch:
    values = {"title": "迎检午餐", "date": DAY, "unit": tree.a, "source_unit": tree.dept, "minutes": 90, "people": 4}
    return Lunch.objects.create(**{**values, **fields})


def test_the_kind_is_registered_after_the_five_by_its_app_alone():
    assert kinds()[-1] is kind_for("lunch")
    assert kind_for("lunch").model is Lunch
    assert len(kinds()) == 7  # the project's six, and this one


def test_its_pages_are_at_the_prefix_it_registered_and_in_the_navigation(client, tree, personas):
    assert reverse("kindapp:lunch_list") == "/lunches/"
    assert record_configs()[-1].model is Lunch
    lunch(tree)
    client.force_login(personas.staff_a)
    response = client.get("/lunches/")
    assert response.status_code == 200
    assert "迎检午餐" in response.content.decode()
    assert "/lunches/" in [item["url"] for item in response.context["nav_records"]()]


def test_its_list_page_costs_the_same_queries_however_many_lunches(client, tree, personas):
    client.force_login(personas.staff_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/lunches/").status_code == 200
        return len(captured)

    lunch(tree)
    one = queries()
    for n in range(5):
        lunch(tree, title=f"午餐 {n}")
    assert queries() == one


def test_it_is_in_the_api_and_its_schema(client, tree, personas):
    lunch(tree)
    client.force_login(personas.staff_a)
    response = client.get("/api/v1/lunches/")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["迎检午餐"]
    assert response.json()["results"][0]["burden_hours"] == 6  # 90 minutes x 4 people
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/lunches/" in schema["paths"]
    assert "lunch" in schema["components"]["schemas"]["RecordKindEnum"]["enum"]


def test_the_rollups_add_it_up(tree):
    assert rollup_models()["lunch"] is Lunch
    lunch(tree)
    rollups_rebuild(["lunch"])
    cell = MonthlyRollup.objects.get(record_kind="lunch")
    assert (cell.unit, cell.month, cell.hours, cell.records) == (tree.a, DAY.replace(day=1), 6, 1)


def test_the_rules_engine_judges_it(tree):
    assert "TRACE-BANNED" in [rule.code for rule in rules_for("lunch")]
    demanding = lunch(tree, trace_requirements=["photo"])
    lunch(tree, title="便餐")
    sweep(DAY)
    flags = Violation.objects.filter(record_kind="lunch")
    assert [(flag.rule, flag.record_id) for flag in flags] == [("TRACE-BANNED", demanding.pk)]
