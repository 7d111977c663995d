"""The unit tree: materialized paths, moves and subtree queries."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import Unit
from tests.factories import UnitFactory


def test_paths_follow_the_tree(tree):
    assert tree.city.path == "/CITY/"
    assert tree.a.path == "/CITY/D1/S1/A/"
    assert tree.a.depth == 3
    assert tree.a.ancestor_codes == ["CITY", "D1", "S1"]


def test_subtree_is_one_query_and_includes_the_unit_itself(tree):
    with CaptureQueriesContext(connection) as queries:
        codes = set(Unit.objects.subtree(tree.d1).values_list("code", flat=True))
    assert codes == {"D1", "D1-EDU", "S1", "A", "B"}
    assert len(queries) == 1


def test_a_code_that_is_a_prefix_of_another_does_not_leak(tree):
    UnitFactory(code="S10", parent=tree.d1)
    UnitFactory(code="S10-X", parent=Unit.objects.get(code="S10"))
    assert set(Unit.objects.subtree(tree.s1).values_list("code", flat=True)) == {"S1", "A", "B"}


def test_moving_a_unit_rewrites_its_whole_subtree(tree):
    tree.s1.parent = tree.d2
    tree.s1.save()
    tree.a.refresh_from_db()
    assert tree.a.path == "/CITY/D2/S1/A/"
    assert set(Unit.objects.subtree(tree.d2).values_list("code", flat=True)) == {"D2", "S2", "C", "S1", "A", "B"}


def test_moving_a_unit_deeper_updates_depths(tree):
    tree.d2.parent = tree.d1
    tree.d2.save()
    tree.c.refresh_from_db()
    assert tree.c.path == "/CITY/D1/D2/S2/C/"
    assert tree.c.depth == 4


def test_recoding_a_unit_rewrites_the_paths_below(tree):
    tree.s1.code = "S1X"
    tree.s1.save()
    tree.b.refresh_from_db()
    assert tree.b.path == "/CITY/D1/S1X/B/"


def test_it_refuses_to_put_a_unit_under_its_own_subtree(tree):
    tree.d1.parent = tree.a
    with pytest.raises(ValidationError) as error:
        tree.d1.full_clean()
    assert "parent" in error.value.message_dict


def test_it_refuses_to_put_a_unit_under_itself(tree):
    tree.s1.parent = tree.s1
    with pytest.raises(ValidationError):
        tree.s1.full_clean()


@pytest.mark.parametrize("code", ["A/B", "has space", "", "区"])
def test_it_rejects_codes_that_would_break_paths(tree, code):
    unit = Unit(code=code, name="x", level=Unit.Level.OTHER, parent=tree.city)
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "code" in error.value.message_dict


def test_headcount_cannot_be_negative(tree):
    tree.a.headcount = -1
    with pytest.raises(ValidationError) as error:
        tree.a.full_clean()
    assert "headcount" in error.value.message_dict


def test_label_follows_the_language(tree):
    from django.utils import translation

    with translation.override("en"):
        assert tree.a.label == "Community A"
    with translation.override("zh-hans"):
        assert tree.a.label == "甲社区"
    tree.a.name_en = ""
    with translation.override("en"):
        assert tree.a.label == "甲社区"


def test_changes_to_a_unit_are_kept_in_its_history(tree):
    tree.a.headcount = 13
    tree.a.save()
    assert [h.headcount for h in tree.a.history.order_by("history_date")] == [12, 13]
