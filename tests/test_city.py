"""The city generator for measuring: the demo city grown to a city's shape."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from burden.city import DEMO_GRASSROOTS, DEMO_RECORDS, grow_city, needs, scale_for
from burden.demo import DISTRICT_DEPARTMENTS, load_demo
from burden.models import Unit


@pytest.fixture
def demo(db):
    load_demo()


def test_the_city_grows_to_the_grassroots_units_asked_and_no_further_than_a_district(demo):
    before = Unit.objects.filter(is_grassroots=True).count()
    assert before == DEMO_GRASSROOTS
    shape = grow_city(400)
    after = Unit.objects.filter(is_grassroots=True).count()
    assert after == before + shape.grassroots
    assert 400 <= after < 400 + 25 * 21  # the last district added may pass the mark, never by more than one
    districts = Unit.objects.filter(code__startswith="G", level=Unit.Level.DISTRICT)
    assert districts.count() == shape.districts
    for district in districts:
        bureaus = Unit.objects.filter(parent=district, level=Unit.Level.DEPARTMENT)
        assert bureaus.count() == len(DISTRICT_DEPARTMENTS)
        streets = Unit.objects.filter(parent=district, level=Unit.Level.STREET)
        assert 15 <= streets.count() <= 25
        for street in streets[:3]:
            places = Unit.objects.filter(parent=street)
            assert 10 <= places.count() <= 20
            assert all(place.path == f"{street.path}{place.code}/" and place.is_grassroots for place in places)
            assert all(place.depth == street.depth + 1 for place in places)


def test_the_units_it_adds_are_found_by_their_subtree_and_named_in_both_languages(demo):
    grow_city(200)
    district = Unit.objects.get(code="G01")
    subtree = Unit.objects.filter(path__startswith=district.path)
    assert subtree.count() == 1 + Unit.objects.filter(parent__parent=district).count() + district.children.count()
    street = district.children.filter(level=Unit.Level.STREET).first()
    assert street.name.endswith(("街道", "镇")) and street.name_en.endswith(("Subdistrict", "Town"))
    assert Unit.objects.values("code").distinct().count() == Unit.objects.count()


def test_the_records_asked_for_set_the_scale_of_the_demos_generators(demo):
    assert scale_for(DEMO_RECORDS) == pytest.approx(1.0)
    grow_city(500)
    grassroots = Unit.objects.filter(is_grassroots=True).count()
    assert scale_for(DEMO_RECORDS) == pytest.approx(DEMO_GRASSROOTS / grassroots)
    size, seconds = needs(1_000_000)
    assert 0.5e9 < size < 5e9 and seconds > 0


def test_load_city_refuses_a_production_server_and_a_database_other_than_postgresql(db):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_city", "--units", "100", "--records", "1000")
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL refusal is for the embedded database")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("load_city", "--units", "100", "--records", "1000", "--force")
