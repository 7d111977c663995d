"""Shared fixtures: a small tree and the personas every test speaks of.

    city CITY
    ├── district D1
    │   ├── department D1-EDU        (imposes burden)
    │   └── street S1
    │       ├── community A          <- staff_a
    │       └── community B          <- staff_b
    └── district D2
        └── street S2
            └── community C

supervisor: supervisor of S1 (sees A and B); admin: admin membership at CITY (not a
superuser); superuser: Django superuser with no membership; outsider: no membership.
"""

import importlib
import os
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import translation

from burden.celery import app as celery_app
from burden.models import Membership, Unit
from tests.factories import MembershipFactory, UnitFactory, UserFactory

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request speaks English in tests, so messages read the same everywhere.

    Requests still pick their language as in production (LocaleMiddleware).
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _working_day_calendar(request):
    """The calendar a migration fills (``WorkingDay``, 2000-2099) back in place for a transactional test.

    A transactional test (a live server, a real worker) ends with a flush, which empties
    every table, the calendar included; the next one would spread a secondment's or a
    work group's hours over no days. Refilled once, when a transactional test finds it empty.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from burden.insights.models import WorkingDay

        if not WorkingDay.objects.exists():
            fill = importlib.import_module("burden.migrations.0009_rollups").fill_working_days
            fill(django_apps, SimpleNamespace(connection=connection))
    yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Run tasks in-process unless a test asks for a real worker (Celery reads its own config once)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@dataclass
class Tree:
    city: Unit
    d1: Unit
    d2: Unit
    dept: Unit
    s1: Unit
    s2: Unit
    a: Unit
    b: Unit
    c: Unit


@pytest.fixture
def tree(db) -> Tree:
    L = Unit.Level
    city = UnitFactory(code="CITY", name="江城市", name_en="River City", level=L.CITY, is_grassroots=False)
    d1 = UnitFactory(
        code="D1", name="东区", name_en="East District", level=L.DISTRICT, parent=city, is_grassroots=False
    )
    d2 = UnitFactory(
        code="D2", name="西区", name_en="West District", level=L.DISTRICT, parent=city, is_grassroots=False
    )
    dept = UnitFactory(
        code="D1-EDU",
        name="东区教育局",
        name_en="East Education Bureau",
        level=L.DEPARTMENT,
        parent=d1,
        is_grassroots=False,
    )
    s1 = UnitFactory(code="S1", name="一街道", name_en="First Street", level=L.STREET, parent=d1, headcount=40)
    s2 = UnitFactory(code="S2", name="二街道", name_en="Second Street", level=L.STREET, parent=d2, headcount=30)
    a = UnitFactory(code="A", name="甲社区", name_en="Community A", parent=s1, headcount=12)
    b = UnitFactory(code="B", name="乙社区", name_en="Community B", parent=s1, headcount=9)
    c = UnitFactory(code="C", name="丙社区", name_en="Community C", parent=s2, headcount=8)
    return Tree(city, d1, d2, dept, s1, s2, a, b, c)


@dataclass
class Personas:
    staff_a: object
    staff_b: object
    supervisor: object
    admin: object
    superuser: object
    outsider: object

    def all(self) -> dict:
        return dict(vars(self))


@pytest.fixture
def personas(tree) -> Personas:
    R = Membership.Role
    staff_a = MembershipFactory(user=UserFactory(username="staff_a"), unit=tree.a, role=R.STAFF).user
    staff_b = MembershipFactory(user=UserFactory(username="staff_b"), unit=tree.b, role=R.STAFF).user
    supervisor = MembershipFactory(user=UserFactory(username="supervisor"), unit=tree.s1, role=R.SUPERVISOR).user
    admin = MembershipFactory(user=UserFactory(username="admin_city"), unit=tree.city, role=R.ADMIN).user
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    outsider = UserFactory(username="outsider")
    return Personas(staff_a, staff_b, supervisor, admin, superuser, outsider)


def client_for(client, user):
    """Log ``client`` in as ``user`` (or leave it anonymous for None)."""
    if user is not None:
        client.force_login(user)
    return client


def env_required(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@pytest.fixture
def api():
    """An API client in English; ``api.as_(user)`` signs it in (None leaves it anonymous)."""
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client
