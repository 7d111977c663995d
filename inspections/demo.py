"""A year of demo inspections and the inspecting units' approved plans (see ``burden.demo_records``).

An ordinary inspection passes every inspection rule: it is in its department's
approved plan (or is an emergency check), states its purpose, asks for a few tables
and reports and no data the system holds, and its department visits a unit once a
quarter at most. The flags come from three habits — the bureau that inspects two
Binjiang communities every few weeks and asks each time for twenty tables
(``OVER_INSPECTS``), the one that wants photos and check-ins (``TRACES``) and the one
that asks again for figures it already holds (``ASKS_AGAIN``) — and from rare slips.

A department's inspections of a year are the items of its plan (as many as its quota,
the first of them comprehensive), so INS-ANNUAL-PLAN passes; some of the visits are
research (调研) asking for nothing, and a rare one asks for twenty tables (INS-DISGUISED).
The plans' items, the research visits and their slips come from a random generator of
their own, so that the records of every other kind stay the ones they were.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from burden.demo_records import ASKS_AGAIN, OVER_INSPECTS, SEED, TRACES

from .models import Inspection, InspectionPlan

TOPICS = ["安全生产", "消防安全", "食品安全", "环境卫生", "疫情防控", "基层党建", "信访维稳", "创文创卫"]
# OVER_INSPECTS: the communities its safety inspectors visit, and how many times a month.
OVER_INSPECTED = {"DH-BJ-01": 2, "DH-BJ-02": 1}
OVER_INSPECTION_TITLE = "安全生产检查"
ITEMS = [f"{topic}{kind}" for topic in TOPICS for kind in ["督查", "检查", "考核", "暗访"]]
RESEARCH = "调研"  # a plan's research item (a plan of three items or more has one): visits that ask for nothing
DISGUISED_RATE = 0.05  # of the research visits: one that asks for twenty tables after all


def demo_records(context) -> int:
    rng = context.rng
    years = {context.start.year, context.today.year}
    habits = {OVER_INSPECTS, TRACES, ASKS_AGAIN}
    inspectors = set(rng.sample(context.departments, max(1, len(context.departments) * 2 // 3)))
    inspectors |= {context.offender(habit) for habit in habits}
    plans = {}
    for department in sorted(inspectors, key=lambda unit: unit.code):
        for year in years:
            plan, _created = InspectionPlan.objects.get_or_create(
                inspecting_unit=department,
                year=year,
                defaults={"approved_on": context.start.replace(month=1, day=15, year=year), "quota": rng.randint(2, 6)},
            )
            plans[(department.pk, year)] = plan
    over_inspector = context.offender(OVER_INSPECTS)
    items = _plan_items(plans, over_inspector)
    working_days = [day for day, _season in context.days()]
    inspections = []
    # The departments that cannot inspect in a year without breaking INS-UNPLANNED.
    unplanned = {year: {d.pk for d in context.departments if (d.pk, year) not in plans} for year in years}
    for unit in context.communities + context.streets:
        visited = defaultdict(set)  # (year, quarter) -> the departments that inspected this unit in it
        for day in _over_inspection_days(rng, working_days, OVER_INSPECTED.get(unit.code, 0)):
            inspection = _ordinary(rng, unit, over_inspector, day, plans)
            inspection.title = OVER_INSPECTION_TITLE
            _habit(rng, context.habit(over_inspector), inspection)
            visited[(day.year, _quarter(day))].add(over_inspector.pk)
            inspections.append(inspection)
        rate = 0.05 if unit.level == "community" else 0.12
        for day, season in context.days():
            for _ in range(context.count(rate * season)):
                quarter = (day.year, _quarter(day))
                source = context.source_for(unit, avoid=unplanned[day.year] | visited[quarter])
                visited[quarter].add(source.pk)
                inspection = _ordinary(rng, unit, source, day, plans)
                if context.habit(source) in habits:
                    _habit(rng, context.habit(source), inspection)
                elif context.slip():
                    _slip(rng, inspection)
                inspections.append(inspection)
    local = random.Random(f"{SEED}-inspection-items")
    for inspection in inspections:
        _as_item(local, inspection, items)
        inspection.external_id = context.external_id("inspection")
    return context.save(Inspection, inspections)


def _plan_items(plans, over_inspector) -> dict[int, list[str]]:
    """Each plan's items (as many as its quota), by plan id; the over-inspector's safety checks are one of its own."""
    local = random.Random(f"{SEED}-plan-items")
    items = {}
    for (department_id, _year), plan in sorted(plans.items()):
        titles = local.sample([title for title in ITEMS if title != OVER_INSPECTION_TITLE], plan.quota)
        if len(titles) >= 3:
            titles[1] = titles[1][:-2] + RESEARCH
        if department_id == over_inspector.pk:
            titles[-1] = OVER_INSPECTION_TITLE
        items[plan.pk] = titles
    return items


def _as_item(local, inspection: Inspection, items: dict[int, list[str]]) -> None:
    """A planned visit is a visit of one of its plan's items, the first comprehensive, the research one research."""
    if inspection.plan is None:
        return
    titles = items[inspection.plan.pk]
    if inspection.title not in titles:
        inspection.title = local.choice(titles)
    inspection.comprehensive = inspection.title == titles[0]
    if inspection.title.endswith(RESEARCH):
        inspection.purpose = Inspection.Purpose.RESEARCH
        disguised = local.random() < DISGUISED_RATE
        inspection.tables_demanded = 20 if disguised else 0
        inspection.reports_demanded = 0
        inspection.principal_required = disguised and local.random() < 0.5


def _quarter(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def _over_inspection_days(rng, working_days, per_month: int) -> list[datetime.date]:
    """``per_month`` working days of every month of the year, in date order."""
    by_month = {}
    for day in working_days:
        by_month.setdefault((day.year, day.month), []).append(day)
    days = []
    for month_days in by_month.values():
        days += sorted(rng.sample(month_days, min(per_month, len(month_days))))
    return days


def _ordinary(rng, unit, source, day, plans) -> Inspection:
    """An inspection that breaks no rule: planned (or an emergency), with a purpose and few materials."""
    emergency = rng.random() < 0.05
    return Inspection(
        unit=unit,
        source_unit=source,
        title=f"{rng.choice(TOPICS)}{rng.choice(['督查', '检查', '考核', '暗访'])}",
        date=day,
        purpose=rng.choice(["supervision", "evaluation", "guidance", "supervision"]),
        unannounced=rng.random() < 0.2,
        plan=None if emergency else plans.get((source.pk, day.year)),
        emergency=emergency,
        tables_demanded=rng.choice([0, 2, 3, 5, 8, 10]),
        reports_demanded=rng.choice([0, 1, 2, 3, 5]),
        data_already_held=False,
        staff_involved=rng.randint(1, 5),
        preparation_hours=Decimal(rng.choice([2, 4, 6, 8, 16, 24])),
        onsite_hours=Decimal(rng.choice([1, 2, 3, 4])),
        trace_requirements=[],
    )


def _habit(rng, habit: str, inspection: Inspection) -> None:
    if habit == OVER_INSPECTS:
        inspection.tables_demanded = rng.choice([15, 18, 20, 24])
        inspection.reports_demanded = rng.choice([4, 6, 8])
        inspection.preparation_hours = Decimal(rng.choice([16, 24, 32]))
    elif habit == TRACES:
        inspection.trace_requirements = ["photo", "checkin"]
    elif habit == ASKS_AGAIN:
        inspection.data_already_held = True


def _slip(rng, inspection: Inspection) -> None:
    """One rule broken by an ordinary inspector on an ordinary day."""
    slip = rng.choice(["purpose", "unplanned", "data"])
    if slip == "purpose":
        inspection.purpose = ""
    elif slip == "unplanned":
        inspection.plan, inspection.emergency = None, False
    else:
        inspection.data_already_held = True
