"""The data request form: items typed as text, codes linked, the live estimate, the detail panel."""

import pytest
from django.urls import reverse

from datarequests.models import DataRequest
from tests.record_factories.datarequests import CatalogueItemFactory, DataRequestFactory


@pytest.fixture
def population(tree):
    return CatalogueItemFactory(code="POP-001", name="常住人口数", owner_unit=tree.d1)


def form_post(tree, items, **fields):
    data = {
        "title": "学生信息统计",
        "date": "2026-03-02",
        "unit": tree.a.pk,
        "source_unit": tree.dept.code,
        "kind": "data",
        "frequency": "once",
        "channel": "spreadsheet",
        "deadline": "2026-03-12",
        "items": items,
    }
    return {**data, **fields}


def test_staff_log_a_request_with_codes_and_free_text_through_the_form(client, tree, personas, population):
    client.force_login(personas.staff_a)
    response = client.post(reverse("datarequests:datarequest_create"), form_post(tree, "POP-001、学生人数\n教师人数"))
    assert response.status_code == 302, response.context["form"].errors
    record = DataRequest.objects.get()
    assert record.item_values() == ["POP-001", "学生人数", "教师人数"]
    assert record.items.first().catalogue_item == population
    assert record.burden_hours == record.compute_burden_hours_now()


def test_the_form_refuses_a_request_with_no_items_and_saves_nothing(client, tree, personas):
    client.force_login(personas.staff_a)
    response = client.post(reverse("datarequests:datarequest_create"), form_post(tree, " \n 、"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["items"]
    assert not DataRequest.objects.exists()


def test_the_form_refuses_a_deadline_before_the_date(client, tree, personas):
    client.force_login(personas.staff_a)
    response = client.post(reverse("datarequests:datarequest_create"), form_post(tree, "甲", deadline="2026-03-01"))
    assert list(response.context["form"].errors) == ["deadline"]
    assert not DataRequest.objects.exists()


def test_the_edit_form_shows_the_current_items_and_replaces_them(client, tree, personas):
    record = DataRequestFactory(unit=tree.a, items=["甲", "乙"])
    client.force_login(personas.staff_a)
    url = reverse("datarequests:datarequest_update", args=[record.pk])
    assert client.get(url).context["form"]["items"].value() == "甲\n乙"

    response = client.post(url, form_post(tree, "丙"))

    assert response.status_code == 302
    assert record.item_values() == ["丙"]


def test_the_create_form_suggests_the_catalogue_codes(client, personas, population):
    client.force_login(personas.staff_a)
    html = client.get(reverse("datarequests:datarequest_create")).content.decode()
    assert 'data-testid="catalogue-suggestions"' in html
    assert "POP-001" in html


def test_the_estimate_counts_the_items_being_typed(client, tree, personas):
    client.force_login(personas.staff_a)
    response = client.post(reverse("datarequests:datarequest_estimate"), form_post(tree, "甲,乙，丙、丁"))
    assert str(response.context["hours"]) == "1.00"  # 4 items x 15 minutes
    assert not DataRequest.objects.exists()


def test_the_detail_page_lists_the_items_with_their_catalogue_link(client, tree, personas, population):
    client.force_login(personas.staff_a)
    client.post(reverse("datarequests:datarequest_create"), form_post(tree, "POP-001\n学生人数"))
    html = client.get(DataRequest.objects.get().get_absolute_url()).content.decode()
    assert 'data-testid="items"' in html
    assert "POP-001" in html and "学生人数" in html
