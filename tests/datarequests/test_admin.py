"""The data catalogue and data requests in the admin, scoped like every other admin page."""

import pytest
from django.urls import reverse

from burden.models import Membership
from datarequests.models import DataRequest
from tests.factories import MembershipFactory, UserFactory
from tests.record_factories.datarequests import CatalogueItemFactory


@pytest.fixture
def district_admin(personas, tree):
    return MembershipFactory(user=UserFactory(username="admin_d1"), unit=tree.d1, role=Membership.Role.ADMIN).user


def test_a_district_admin_keeps_only_the_catalogue_items_their_units_hold(client, tree, district_admin):
    ours = CatalogueItemFactory(code="POP-001", owner_unit=tree.dept)
    theirs = CatalogueItemFactory(code="POP-002", owner_unit=tree.d2)
    client.force_login(district_admin)
    listed = client.get(reverse("admin:datarequests_catalogueitem_changelist")).context["cl"].result_list
    assert list(listed) == [ours]
    assert client.get(reverse("admin:datarequests_catalogueitem_change", args=[theirs.pk])).status_code == 302


def test_staff_do_not_reach_the_catalogue_admin(client, personas):
    client.force_login(personas.staff_a)
    assert client.get(reverse("admin:datarequests_catalogueitem_changelist")).status_code == 302


def test_an_admin_adds_a_data_request_with_its_items(client, tree, personas):
    CatalogueItemFactory(code="POP-001", owner_unit=tree.d1)
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:datarequests_datarequest_add"),
        {
            "unit": tree.a.pk,
            "title": "人口统计",
            "date": "2026-03-02",
            "kind": "data",
            "frequency": "once",
            "channel": "paper",
            "items": "POP-001\n学生人数",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = DataRequest.objects.get()
    assert record.item_values() == ["POP-001", "学生人数"]
    assert record.created_by == personas.admin
