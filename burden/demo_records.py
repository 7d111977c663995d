"""A year of believable burden records for the demo city.

Each record app may have a ``demo.py`` with ``demo_records(context)``, named by its
kind in the registry (``Kind.demo``); this module reads them there (the core imports
no record app), gives them a shared context — the units, a seasonal rhythm, the few
departments that impose most of the burden and the few habits that break most of the
rules — and saves what they build in bulk, with history. Deterministic (seeded), and
loaded once: a second ``load_demo`` leaves the records alone.

Most records break no rule, as in a real city: a department's ordinary work is built to
pass every rule (each app's generator keeps the rules that compare records — the same
organizer's meetings a week apart, the same item asked twice, a second visit in a
quarter — by choosing around them). The flags come from ``HABITS``, a few departments
each doing one thing the rules forbid, so that a supervisor grouping the flags by
source, rule and month reads a few dozen stories rather than thousands of cases; and
from honest slips (``DemoContext.slip``), rare and scattered.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import import_string

from .bulk import bulk_insert_with_history
from .models import CostParameters, Membership, Unit, User
from .records.registry import kinds

DEMO_PREFIX = "DEMO-"
SEED = 20260101

# How busy each month is, against an ordinary one: the Spring Festival and the National
# Day holidays are quiet; March (annual plans), June (half-year reviews) and above all
# December (year-end evaluations) are when work is pushed down hardest.
SEASON = {1: 1.1, 2: 0.55, 3: 1.3, 4: 1.0, 5: 0.9, 6: 1.25, 7: 1.0, 8: 0.8, 9: 1.0, 10: 0.7, 11: 1.2, 12: 1.6}

# The departments that send down far more than their share, as every city has.
HEAVY_SOURCES = {"DH-YJJ": 5, "DH-ZB": 3, "XS-WJJ": 4, "NA-SJJ": 3, "JC-TJJ": 4, "JC-ZFB": 2}

# The habits behind most of the flags: the department, and what it does that the rules
# forbid (each app's ``demo.py`` acts the habit out in its kind of record).
TRACES = "traces"  # photos and check-ins as proof of its meetings, inspections and campaigns
ASKS_AGAIN = "asks_again"  # asks every unit, month after month, for the population figures it holds
OVER_INSPECTS = "over_inspects"  # safety inspections of two Binjiang communities every few weeks, 20 tables each
FLOODS = "floods"  # pours documents onto Binjiang's communities on a few days of the year
WEEKLY_REPORTS = "weekly_reports"  # weekly progress reports, due the next day
LONG_MEETINGS = "long_meetings"  # long meetings that the top leader has to sit through in person
KEEPS_SECONDEES = "keeps_secondees"  # the urban renewal task force keeps Gangkou's people half a year, unfiled
HABITS = {
    "JC-STJ": TRACES,
    "JC-TJJ": ASKS_AGAIN,
    "DH-YJJ": OVER_INSPECTS,
    "DH-ZB": FLOODS,
    "XS-WJJ": WEEKLY_REPORTS,
    "NA-SJJ": LONG_MEETINGS,
    "NA-ZJJ": KEEPS_SECONDEES,
}

# How often an ordinary record has an honest slip that breaks a rule (a long document,
# a forgotten approval): rare enough that the habits above stand out.
SLIP_RATE = 0.006


@dataclass
class DemoContext:
    """What every app's demo generator needs, loaded once."""

    today: datetime.date
    rng: random.Random
    communities: list[Unit]
    streets: list[Unit]
    departments: list[Unit]
    staff: dict[int, User]
    fallback_user: User
    params: CostParameters
    scale: float = 1.0
    counter: dict[str, int] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)  # by code

    @property
    def start(self) -> datetime.date:
        return self.today - datetime.timedelta(days=364)

    def days(self):
        """Every working day of the past year, with its seasonal weight."""
        day = self.start
        while day <= self.today:
            if day.weekday() < 5:
                yield day, SEASON[day.month]
            day += datetime.timedelta(days=1)

    def district_of(self, unit: Unit) -> str:
        return unit.path.strip("/").split("/")[1]

    def source_for(self, unit: Unit, avoid: set[int] | frozenset[int] = frozenset()) -> Unit:
        """A department of the unit's district or of the city, the heavy ones more often.

        ``avoid``: the ids of departments that would break a rule by sending this record
        (one that met the unit this week...). When every department is in it, any may
        come: the record then breaks a rule, as a busy week can.
        """
        district = self.district_of(unit)
        candidates = [d for d in self.departments if d.code.startswith(f"{district}-") or d.code.startswith("JC-")]
        if avoid:
            candidates = [d for d in candidates if d.pk not in avoid] or candidates
        weights = [HEAVY_SOURCES.get(d.code, 1) for d in candidates]
        return self.rng.choices(candidates, weights)[0]

    def habit(self, source: Unit | None) -> str | None:
        """What the source department does that the rules forbid (``HABITS``), if anything."""
        return HABITS.get(source.code) if source is not None else None

    def offender(self, habit: str) -> Unit:
        """The department with ``habit``."""
        return self.units[next(code for code, name in HABITS.items() if name == habit)]

    def slip(self) -> bool:
        """Whether an ordinary record breaks a rule by an honest slip (``SLIP_RATE``)."""
        return self.rng.random() < SLIP_RATE

    def count(self, weight: float) -> int:
        """A whole number of events whose average is ``weight`` x scale (cheap, not quite Poisson)."""
        weight *= self.scale
        whole = int(weight)
        return whole + (1 if self.rng.random() < weight - whole else 0)

    def external_id(self, kind: str) -> str:
        self.counter[kind] = self.counter.get(kind, 0) + 1
        return f"{DEMO_PREFIX}{kind}-{self.counter[kind]}"

    @staticmethod
    def timedelta(days: int) -> datetime.timedelta:
        return datetime.timedelta(days=days)

    def author(self, unit: Unit) -> User:
        return self.staff.get(unit.pk, self.fallback_user)

    def save(self, model, records: list) -> int:
        """Burden hours computed as on every save, then written in bulk with their history."""
        for record in records:
            record.burden_hours = record.compute_burden_hours(self.params)
            record.created_by = record.updated_by = self.author(record.unit)
        bulk_insert_with_history(model, records, user=self.fallback_user)
        return len(records)


def _generators():
    # Each kind names its generator when it registers; a kind without one has no demo data.
    for kind in kinds():
        if kind.demo:
            yield str(kind.label_plural), import_string(kind.demo)


def demo_records_loaded() -> bool:
    return any(kind.model.objects.filter(external_id__startswith=DEMO_PREFIX).exists() for kind in kinds())


@transaction.atomic
def load_demo_records(today: datetime.date | None = None, scale: float = 1.0) -> dict[str, int]:
    """Build a year of records ending ``today``; returns how many of each kind (nothing if loaded).

    ``scale`` thins the flow (tests use a quarter of it); the pattern stays the same.
    """
    if demo_records_loaded():
        return {}
    units = list(Unit.objects.all())
    staff = {m.unit_id: m.user for m in Membership.objects.select_related("user").filter(role=Membership.Role.STAFF)}
    context = DemoContext(
        today=today or datetime.date.today(),
        rng=random.Random(SEED),
        communities=[u for u in units if u.level == Unit.Level.COMMUNITY],
        streets=[u for u in units if u.level == Unit.Level.STREET],
        departments=[u for u in units if u.level == Unit.Level.DEPARTMENT],
        staff=staff,
        fallback_user=User.objects.filter(is_superuser=True).order_by("pk").first(),
        params=CostParameters.current(),
        scale=scale,
        units={u.code: u for u in units},
    )
    return {label: generate(context) for label, generate in _generators()}
