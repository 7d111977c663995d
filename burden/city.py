"""A city-shaped database for measuring: the demo city grown to thousands of grassroots units.

``python manage.py load_city --units 7000 --records 200000`` keeps the demo city (its
people, its departments and their habits, so the demo's logins and stories still hold)
and adds districts until the city has ``--units`` grassroots units: each district with
its bureaus, 15 to 25 streets and townships, each with 10 to 20 communities or villages,
headcounts drawn around a real register's. Then the demo's own generators write a year
of records over every grassroots unit at the rate that gives ``--records`` in all (the
rates per kind, seasons, habits and slips stay the demo's), and the sweep and the
roll-ups run as they would in production.

Units are written in bulk, one statement per level; records by the product's bulk
insert. Only for a measuring database: it refuses a database that holds records.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from django.db import transaction

from .demo import DISTRICT_DEPARTMENTS, DISTRICTS
from .models import Unit

SEED = 20261201
# Syllables of believable place names, each with its pinyin: districts, streets, communities.
PLACES = [
    ("青山", "Qingshan"),
    ("白沙", "Baisha"),
    ("金港", "Jingang"),
    ("龙泉", "Longquan"),
    ("凤栖", "Fengqi"),
    ("临江", "Linjiang"),
    ("望城", "Wangcheng"),
    ("高新", "Gaoxin"),
    ("南湖", "Nanhu"),
    ("北岸", "Bei'an"),
    ("新桥", "Xinqiao"),
    ("石门", "Shimen"),
    ("柳林", "Liulin"),
    ("桃源", "Taoyuan"),
    ("梅岭", "Meiling"),
    ("松溪", "Songxi"),
    ("云台", "Yuntai"),
    ("清河", "Qinghe"),
    ("长乐", "Changle"),
    ("永安", "Yong'an"),
    ("丰泽", "Fengze"),
    ("东坝", "Dongba"),
    ("西塘", "Xitang"),
    ("红星", "Hongxing"),
    ("团结", "Tuanjie"),
    ("光明", "Guangming"),
    ("幸福", "Xingfu"),
    ("春晖", "Chunhui"),
    ("翠竹", "Cuizhu"),
    ("银杏", "Yinxing"),
]
STREETS_PER_DISTRICT = (15, 25)
COMMUNITIES_PER_STREET = (10, 20)


@dataclass
class CityShape:
    districts: int
    streets: int
    communities: int

    @property
    def grassroots(self) -> int:
        return self.streets + self.communities


def _name(rng: random.Random, serial: int) -> tuple[str, str]:
    """A place name (Chinese, pinyin) unique by its serial: two syllables, then a number past the list."""
    first, second = PLACES[serial % len(PLACES)], PLACES[(serial // len(PLACES) + serial + 1) % len(PLACES)]
    suffix = "" if serial < len(PLACES) ** 2 else str(serial // len(PLACES) ** 2)
    return f"{first[0]}{second[0]}{suffix}", f"{first[1]}{second[1].lower()}{suffix}"


def _unit(parent: Unit, code: str, name: str, name_en: str, level: str, headcount: int, grassroots: bool) -> Unit:
    """A unit for a bulk insert, its path and depth set as ``Unit.save()`` would set them."""
    unit = Unit(
        code=code, name=name, name_en=name_en, level=level, headcount=headcount, is_grassroots=grassroots, parent=parent
    )
    unit.path = unit.build_path()
    unit.depth = parent.depth + 1
    return unit


@transaction.atomic
def grow_city(units: int, *, seed: int = SEED) -> CityShape:
    """Add districts to the demo city until it has ``units`` grassroots units; what was added."""
    rng = random.Random(seed)
    city = Unit.objects.get(parent=None, code="JC")
    have = Unit.objects.filter(is_grassroots=True).count()
    shape = CityShape(0, 0, 0)
    serial = 0
    L = Unit.Level
    while have + shape.grassroots < units:
        shape.districts += 1
        code = f"G{shape.districts:02d}"
        name, name_en = _name(rng, serial)
        serial += 1
        district = _unit(city, code, f"{name}区", f"{name_en} District", L.DISTRICT, 0, False)
        district.save()  # one per district: its path is what the levels below build on
        bureaus = [
            _unit(
                district,
                f"{code}-{suffix}",
                f"{name}区{label[1:]}",
                f"{name_en} {label_en}",
                L.DEPARTMENT,
                headcount,
                False,
            )
            for suffix, label, label_en, headcount in DISTRICT_DEPARTMENTS
        ]
        streets = []
        for number in range(rng.randint(*STREETS_PER_DISTRICT)):
            street_name, street_en = _name(rng, serial)
            serial += 1
            township = rng.random() < 0.3
            streets.append(
                _unit(
                    district,
                    f"{code}-{number + 1:02d}",
                    f"{street_name}{'镇' if township else '街道'}",
                    f"{street_en} {'Town' if township else 'Subdistrict'}",
                    L.STREET,
                    rng.randint(30, 60),
                    True,
                )
            )
        Unit.objects.bulk_create(bureaus + streets)
        communities = []
        for street in streets:
            township = street.name.endswith("镇")
            for number in range(rng.randint(*COMMUNITIES_PER_STREET)):
                place, place_en = _name(rng, serial)
                serial += 1
                communities.append(
                    _unit(
                        street,
                        f"{street.code}-{number + 1:02d}",
                        f"{place}{'村' if township else '社区'}",
                        f"{place_en} {'Village' if township else 'Community'}",
                        L.COMMUNITY,
                        rng.randint(5, 15),
                        True,
                    )
                )
        Unit.objects.bulk_create(communities)
        shape.streets += len(streets)
        shape.communities += len(communities)
    return shape


#: The demo city's year at the demo's own rates (scale 1): about 36,000 records over its
#: grassroots units (its streets and communities).
DEMO_RECORDS = 36_000
DEMO_GRASSROOTS = sum(len(streets) + sum(len(places) for _street, places in streets) for _d, streets in DISTRICTS)


def scale_for(records: int) -> float:
    """The demo generators' scale that writes about ``records`` over the city as it now stands."""
    grassroots = Unit.objects.filter(is_grassroots=True).count()
    per_unit = DEMO_RECORDS / DEMO_GRASSROOTS
    return records / (per_unit * grassroots)


#: Measured here: a record with its history, indexes, flags and roll-ups takes about 1.1 KB of
#: PostgreSQL, and the generator, sweep and roll-ups write about 4,000 records a second.
BYTES_PER_RECORD = 1_150
RECORDS_PER_SECOND = 4_000


def needs(records: int) -> tuple[int, int]:
    """(bytes, seconds) a city of ``records`` records takes to build, from the figures above."""
    return records * BYTES_PER_RECORD, math.ceil(records / RECORDS_PER_SECOND)
