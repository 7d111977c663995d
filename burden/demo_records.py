"""A year of believable burden records for the demo city.

Each record app may have a ``demo.py`` with ``demo_records(context)``, named by its
kind in the registry (``Kind.demo``); this module reads them there (the core imports
no record app), gives them a shared context — the units, a seasonal rhythm, the few
departments that impose most of the burden — and saves what they build in bulk, with
history. Deterministic (seeded), and loaded once: a second ``load_demo`` leaves the
records alone.
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

    def source_for(self, unit: Unit) -> Unit:
        """A department of the unit's district or of the city, the heavy ones more often."""
        district = self.district_of(unit)
        candidates = [d for d in self.departments if d.code.startswith(f"{district}-") or d.code.startswith("JC-")]
        weights = [HEAVY_SOURCES.get(d.code, 1) for d in candidates]
        return self.rng.choices(candidates, weights)[0]

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
    )
    return {label: generate(context) for label, generate in _generators()}
