"""The world the write matrices act on, built once per test module.

The tree and personas of ``tests/conftest.py``, plus a district admin (``admin_d1``,
admin of D1) so that an admin, too, has units outside their own. In three *places*
every kind of object a page or route writes exists once:

    place  staff_a  staff_b  supervisor (S1)  admin_d1 (D1)  admin (CITY)
    A      own      foreign  descendant       descendant     descendant
    S1     foreign  foreign  own              descendant     descendant
    C      foreign  foreign  foreign          foreign        descendant

The world is created inside a transaction that is rolled back when the module ends;
each test runs in a savepoint of it (pytest-django's ``db``), so every write a test
makes is undone before the next one. Tests re-read objects by primary key and never
rely on the Python objects below having current field values.

Fixture names start with ``write_matrix_`` so they never clash with other helpers'.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import override_settings
from rest_framework.views import APIView

from burden.models import CostParameters, Membership, RuleOverride, TaskFailure, Unit, Violation
from tests.factories import RECORD_FACTORIES, MembershipFactory, UnitFactory, UserFactory, ViolationFactory

PERSONAS = ["anonymous", "outsider", "staff_a", "staff_b", "supervisor", "admin_d1", "admin", "superuser"]
PLACES = ["A", "S1", "C"]
#: A rule every override and threshold case uses, and its one parameter.
RULE, RULE_PARAM = "MTG-DURATION", "max_minutes"
#: Tables a refused request may still write to: the session the test client signed in with.
SIDE_EFFECT_TABLES = {"sessions.session"}


def row(anonymous, outsider, staff_a, staff_b, supervisor, admin_d1, admin, superuser) -> dict:
    """The expected outcome for each persona, in the order of ``PERSONAS``."""
    values = [anonymous, outsider, staff_a, staff_b, supervisor, admin_d1, admin, superuser]
    return dict(zip(PERSONAS, values, strict=True))


@dataclass
class Place:
    """What exists in one place: a unit and one of each object a write acts on."""

    unit: Unit
    leaf: Unit  # an empty unit below it, free to change or delete
    records: dict = field(default_factory=dict)  # record_kind -> pk
    deleted: dict = field(default_factory=dict)  # record_kind -> history_id of a deleted record
    form_data: dict = field(default_factory=dict)  # record_kind -> the record's form, as posted
    membership: int = 0  # a staff seat in the place's unit (staff_a's in A, staff_c's in C)
    violation: int = 0
    override: int = 0
    target: int = 0
    plan: int = 0
    catalogue: str = ""


@dataclass
class World:
    units: dict
    users: dict  # persona -> User (no entry for anonymous)
    places: dict  # place code -> Place
    others: dict  # what the admin site lists besides: a group, a failed task (model label -> pk)

    def user(self, persona):
        """The persona as stored now (a fresh copy: a test may have changed it and rolled back)."""
        user = self.users.get(persona)
        return None if user is None else type(user).objects.get(pk=user.pk)


def _build_world() -> World:
    from burden.insights.models import ReductionTarget
    from burden.record_views import record_configs
    from tests.record_factories.datarequests import CatalogueItemFactory
    from tests.record_factories.inspections import InspectionPlanFactory
    from tests.test_records import form_data

    L = Unit.Level
    city = UnitFactory(code="CITY", name="江城市", name_en="River City", level=L.CITY, is_grassroots=False)
    d1 = UnitFactory(
        code="D1", name="东区", name_en="East District", level=L.DISTRICT, parent=city, is_grassroots=False
    )
    d2 = UnitFactory(
        code="D2", name="西区", name_en="West District", level=L.DISTRICT, parent=city, is_grassroots=False
    )
    dept = UnitFactory(
        code="D1-EDU", name="东区教育局", name_en="East Education Bureau", level=L.DEPARTMENT, parent=d1,
        is_grassroots=False,
    )  # fmt: skip
    s1 = UnitFactory(code="S1", name="一街道", name_en="First Street", level=L.STREET, parent=d1, headcount=40)
    s2 = UnitFactory(code="S2", name="二街道", name_en="Second Street", level=L.STREET, parent=d2, headcount=30)
    a = UnitFactory(code="A", name="甲社区", name_en="Community A", parent=s1, headcount=12)
    b = UnitFactory(code="B", name="乙社区", name_en="Community B", parent=s1, headcount=9)
    c = UnitFactory(code="C", name="丙社区", name_en="Community C", parent=s2, headcount=8)
    units = {u.code: u for u in (city, d1, d2, dept, s1, s2, a, b, c)}

    R = Membership.Role
    users = {
        "staff_a": MembershipFactory(user=UserFactory(username="staff_a"), unit=a, role=R.STAFF).user,
        "staff_b": MembershipFactory(user=UserFactory(username="staff_b"), unit=b, role=R.STAFF).user,
        "supervisor": MembershipFactory(user=UserFactory(username="supervisor"), unit=s1, role=R.SUPERVISOR).user,
        "admin_d1": MembershipFactory(user=UserFactory(username="admin_d1"), unit=d1, role=R.ADMIN).user,
        "admin": MembershipFactory(user=UserFactory(username="admin_city"), unit=city, role=R.ADMIN).user,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
        "outsider": UserFactory(username="outsider"),
    }

    seats = {
        "A": users["staff_a"].memberships.get().pk,
        "S1": users["supervisor"].memberships.get().pk,
        "C": MembershipFactory(user=UserFactory(username="staff_c"), unit=c, role=R.STAFF).pk,
    }

    configs = {config.model: config for config in record_configs()}
    places = {}
    for code in PLACES:
        unit = units[code]
        place = Place(
            unit=unit, leaf=UnitFactory(code=f"{code}-LEAF", parent=unit, headcount=1), membership=seats[code]
        )
        for model, factory in RECORD_FACTORIES.items():
            record = factory(unit=unit, source_unit=dept)
            place.records[model.record_kind] = record.pk
            place.form_data[model.record_kind] = form_data(configs[model], record)
            gone = factory(unit=unit, source_unit=dept)
            gone_pk = gone.pk
            gone.delete()
            place.deleted[model.record_kind] = model.history.get(id=gone_pk, history_type="-").history_id
        meeting = apps.get_model("meetings", "Meeting").objects.get(pk=place.records["meeting"])
        place.violation = ViolationFactory(record=meeting, status=Violation.Status.OPEN).pk
        place.override = RuleOverride.objects.create(rule=RULE, unit=unit, params={RULE_PARAM: 60}).pk
        place.target = ReductionTarget.objects.create(
            unit=unit, record_kind="meeting", year=2026, reduction_percent=10, set_by=users["admin"]
        ).pk
        place.plan = InspectionPlanFactory(inspecting_unit=unit).pk
        place.catalogue = CatalogueItemFactory(code=f"CAT-{code}", owner_unit=unit).code
        places[code] = place
    others = {
        "auth.group": Group.objects.create(name="write-matrix").pk,
        "burden.taskfailure": TaskFailure.objects.create(task="burden.tasks.evaluate_record", error="boom").pk,
        "burden.costparameters": CostParameters.current().pk,
    }
    return World(units=units, users=users, places=places, others=others)


@pytest.fixture(scope="module")
def write_matrix_world(django_db_setup, django_db_blocker):
    """The world above, for a whole module; rolled back when the module ends."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                world = _build_world()
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def write_matrix(write_matrix_world, db, monkeypatch, settings, tmp_path):
    """The module's world, inside this test's savepoint.

    Not autouse, so other tests in this folder keep their own set-up: rate limits are
    off here (they have their own tests; hundreds of requests by one persona must not
    trip them) and uploads go to a temporary folder.
    """
    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    settings.MEDIA_ROOT = tmp_path
    return write_matrix_world


def write_matrix_counts() -> dict:
    """How many rows each table holds: a refused write must leave every count as it was (one query)."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in SIDE_EFFECT_TABLES and model._meta.managed and not model._meta.proxy
    ]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT %s, COUNT(*) FROM {quote(model._meta.db_table)}" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.label_lower for model in models])
        return dict(cursor.fetchall())


def case_at_step(pk: int, step: str) -> int:
    """Put case ``pk`` at ``step`` of the ladder (before a write is counted); its id."""
    from burden.review.models import Case

    Case.objects.filter(pk=pk).update(step=step)
    return pk


def case_interviewed(pk: int) -> int:
    """Call case ``pk`` to an interview, as its owner would have, letter and all (once); its id."""
    from django.utils import timezone

    from burden.review.models import Case, CaseLetter

    case_at_step(pk, "interview")
    if not CaseLetter.objects.filter(cases=pk, step="interview").exists():
        today = timezone.localdate()
        letter = CaseLetter.objects.create(
            step="interview",
            number=1,
            year=today.year,
            issuing_unit=Case.objects.get(pk=pk).owner_unit,
            issued_on=today,
            deadline=today,
        )
        letter.cases.add(pk)
    return pk
