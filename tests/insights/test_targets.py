"""Reduction targets (admins set them, the dashboard shows progress) and explanations of increases."""

from django.urls import reverse

from burden.insights.models import IncreaseExplanation, ReductionTarget
from burden.models import Membership
from tests.factories import MembershipFactory, UserFactory

from .conftest import PERIOD, s2_issues_more_inspections


def set_target(client, user, **values):
    client.force_login(user)
    data = {"unit": "S1", "record_kind": "document", "year": 2024, "measure": "records", "reduction_percent": 30}
    return client.post(reverse("insights:target_list"), {**data, **values})


def test_an_admin_sets_a_target_and_the_dashboard_shows_the_progress(client, personas, burden):
    response = set_target(client, personas.admin)
    assert response.status_code == 302
    target = ReductionTarget.objects.get()
    assert (target.unit.code, target.reduction_percent, target.set_by) == ("S1", 30, personas.admin)
    # Documents on S1's units: 2 in the first half of 2024 against 3 a year earlier.
    (progress,) = client.get(reverse("insights:dashboard"), {**PERIOD, "unit": "S1"}).context["targets"]
    assert (progress.current, progress.previous, progress.goal) == (2, 3, -30)
    assert str(progress.change) == "-33.3"
    assert progress.met is True
    # B, below S1, is held to S1's target: 1 document against none, so no change to speak of.
    (progress,) = client.get(reverse("insights:dashboard"), {**PERIOD, "unit": "B"}).context["targets"]
    assert (progress.current, progress.previous, progress.change, progress.met) == (1, 0, None, None)


def test_setting_a_target_again_replaces_it(client, personas, burden):
    set_target(client, personas.admin)
    set_target(client, personas.admin, reduction_percent=40, measure="hours")
    target = ReductionTarget.objects.get()
    assert (target.reduction_percent, target.measure) == (40, "hours")


def test_the_nearest_target_wins(client, personas, burden):
    set_target(client, personas.admin, unit="CITY", reduction_percent=10)
    set_target(client, personas.admin, unit="S1", reduction_percent=50)
    client.force_login(personas.supervisor)
    (progress,) = client.get(reverse("insights:dashboard"), PERIOD).context["targets"]
    assert progress.goal == -50
    assert progress.met is False  # -33.3 % is not -50 %
    (progress,) = client.get(reverse("insights:dashboard"), {**PERIOD, "unit": "A"}).context["targets"]
    assert progress.goal == -50


def test_an_admin_cannot_set_a_target_outside_the_units_they_administer(client, personas, tree, burden):
    district_admin = MembershipFactory(user=UserFactory(username="admin_d2"), unit=tree.d2, role=Membership.Role.ADMIN)
    response = set_target(client, district_admin.user, unit="S1")
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not ReductionTarget.objects.exists()


def test_a_target_is_removed_only_by_an_admin_of_its_unit(client, personas, tree, burden):
    set_target(client, personas.admin)
    target = ReductionTarget.objects.get()
    district_admin = MembershipFactory(user=UserFactory(username="admin_d2"), unit=tree.d2, role=Membership.Role.ADMIN)
    client.force_login(district_admin.user)
    assert client.post(reverse("insights:target_delete", args=[target.pk])).status_code == 404
    client.force_login(personas.supervisor)
    assert client.post(reverse("insights:target_delete", args=[target.pk])).status_code == 404
    client.force_login(personas.admin)
    assert client.get(reverse("insights:target_delete", args=[target.pk])).status_code == 405
    assert client.post(reverse("insights:target_delete", args=[target.pk])).status_code == 302
    assert not ReductionTarget.objects.exists()


def test_a_department_explains_an_increase_and_the_ledger_shows_it(client, personas, tree, burden):
    s2_issues_more_inspections(tree)
    client.force_login(personas.admin)
    url = reverse("insights:source_explain", args=["S2"])
    back = "unit=S1&start=2024-01&end=2024-06"
    response = client.post(
        url, {"record_kind": "inspection", "year": 2024, "explanation": "汛期安全检查", "back": back}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:source_detail", args=["S2"]) + "?" + back
    note = IncreaseExplanation.objects.get()
    assert (note.source_unit.code, note.record_kind, note.year, note.written_by) == (
        "S2",
        "inspection",
        2024,
        personas.admin,
    )
    ranking = client.get(reverse("insights:source_ranking"), {**PERIOD, "unit": "S1"}).context["ranking"]
    row = next(row for row in ranking if row.source.code == "S2")
    assert row.increases[0]["explanation"] == note
    client.force_login(personas.supervisor)
    detail = client.get(reverse("insights:source_detail", args=["S2"]), PERIOD)
    assert "汛期安全检查" in detail.content.decode()


def test_only_the_department_or_those_above_it_explain(client, personas, burden):
    client.force_login(personas.supervisor)
    url = reverse("insights:source_explain", args=["S2"])
    response = client.post(url, {"record_kind": "inspection", "year": 2024, "explanation": "不是我们"})
    assert response.status_code == 404
    assert not IncreaseExplanation.objects.exists()


def test_the_way_back_stays_on_the_site(client, personas, burden):
    client.force_login(personas.admin)
    url = reverse("insights:source_explain", args=["S2"])
    data = {"record_kind": "inspection", "year": 2024, "explanation": "x", "back": "unit=S1&next=//evil.example"}
    response = client.post(url, data)
    assert response["Location"] == reverse("insights:source_detail", args=["S2"]) + "?unit=S1"


def test_the_kinds_of_targets_are_the_kinds_of_records(tree, personas):
    import pytest
    from django.core.exceptions import ValidationError

    from burden.insights.forms import ReductionTargetForm
    from burden.insights.rollups import record_models

    form = ReductionTargetForm(user=None)
    assert [code for code, _label in form.fields["record_kind"].choices] == list(record_models())
    target = ReductionTarget(
        unit=tree.s1, record_kind="meeting", year=2026, reduction_percent=10, set_by=personas.admin
    )
    target.full_clean()  # a registered kind is valid ...
    target.record_kind = "lunch"
    with pytest.raises(ValidationError) as error:  # ... and no other code, though the column lists none
        target.full_clean()
    assert list(error.value.message_dict) == ["record_kind"]
