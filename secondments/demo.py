"""Demo secondments: staff lent to task forces (see ``burden.demo_records``).

An ordinary secondment passes every secondment rule: a first term of three months at
most, approved and filed with HR, the person back by the end, extensions re-approved,
and never more than a quarter of a unit away at once. The flags come from one habit —
the urban renewal task force that keeps Gangkou's people for half a year without
filing them (``KEEPS_SECONDEES``), under the name of attachment posts (挂职) and
without the special approval a loan from the grassroots needs (SEC-GRASSROOTS) — and
from rare slips. Ordinary loans are specially approved; some are called a transfer,
shadowing or an attachment post, drawn from a random generator of their own so that
the other records stay the ones they were.
"""

import datetime
import random

from dateutil.relativedelta import relativedelta

from burden.demo_records import KEEPS_SECONDEES, SEED

from .models import Extension, Secondment

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"]
HOSTS = ["区创文工作专班", "区城市更新指挥部", "市第三轮巡察组", "区防汛指挥部", "区招商专班", "区信访工作专班"]
# KEEPS_SECONDEES: the street whose units lend the task force a person each, and the task force.
KEPT_STREET = "NA-GK"
KEEPING_HOST = "区城市更新指挥部"
MAX_SHARE_PERCENT = 25  # SEC-SHARE's default


def demo_records(context) -> int:
    rng = context.rng
    keeper = context.offender(KEEPS_SECONDEES)
    kept_street = context.units[KEPT_STREET]
    secondments, ordinary = [], []
    for unit in context.communities + context.streets:
        away = []  # (first day, last day) of the unit's people already lent
        if unit.pk == kept_street.pk or unit.parent_id == kept_street.pk:
            kept = _kept(rng, context, unit, keeper)
            away.append((kept.start_date, kept.returned_on or context.today))
            secondments.append(kept)
        for _ in range(context.count(1.3 if unit.level == "community" else 3.0)):
            secondment = _ordinary(rng, context, unit, away)
            if secondment is None:  # no month left with a quarter of the unit free to lend
                continue
            if context.slip():
                secondment.hr_filed_on = None
            away.append((secondment.start_date, secondment.returned_on or secondment.planned_end_date))
            secondments.append(secondment)
            ordinary.append(secondment)
    names = random.Random(f"{SEED}-secondment-arrangements")
    arrangements = [*[Secondment.Arrangement.SECONDMENT] * 7, *Secondment.Arrangement.values[1:]]
    for secondment in ordinary:
        secondment.arrangement = names.choice(arrangements)
        secondment.specially_approved = True
    for secondment in secondments:
        secondment.external_id = context.external_id("secondment")
    saved = context.save(Secondment, secondments)
    # A few terms were extended, with a new approval and by three months at most.
    for secondment in rng.sample(ordinary, min(8, len(ordinary))):
        Extension.objects.create(
            secondment=secondment,
            new_end_date=secondment.planned_end_date + relativedelta(months=rng.choice([1, 2, 3])),
            approved_by="区委组织部",
            approved_on=secondment.planned_end_date - datetime.timedelta(days=5),
        )
        secondment.burden_hours = secondment.compute_burden_hours(context.params)
        Secondment.objects.filter(pk=secondment.pk).update(burden_hours=secondment.burden_hours)
    return saved


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])


def _ordinary(rng, context, unit, away) -> Secondment | None:
    """A term of one to three months, approved and filed, back on time; None if the unit cannot spare one."""
    allowed = unit.headcount * MAX_SHARE_PERCENT // 100
    for _attempt in range(5):
        start = context.start + datetime.timedelta(days=rng.randint(0, 330))
        planned_end = start + relativedelta(months=rng.choice([1, 2, 3, 3, 3])) - datetime.timedelta(days=1)
        if sum(1 for first, last in away if first <= planned_end and start <= last) < allowed:
            break
    else:
        return None
    back = planned_end - datetime.timedelta(days=rng.choice([0, 0, 0, 3, 7]))
    return Secondment(
        unit=unit,
        source_unit=context.source_for(unit),
        person_name=_person(rng),
        host_name=rng.choice(HOSTS),
        start_date=start,
        planned_end_date=planned_end,
        returned_on=back if back < context.today else None,
        approved_by=rng.choice(["组织部", "区委组织部"]),
        approved_on=start - datetime.timedelta(days=3),
        hr_filed_on=start + datetime.timedelta(days=7),
    )


def _kept(rng, context, unit, keeper) -> Secondment:
    """``KEEPS_SECONDEES``: half a year from the start, not filed with HR, and not back on time."""
    start = context.today - datetime.timedelta(days=rng.randint(210, 260))
    planned_end = start + relativedelta(months=6) - datetime.timedelta(days=1)
    late = planned_end + datetime.timedelta(days=rng.randint(15, 40))
    return Secondment(
        unit=unit,
        source_unit=keeper,
        person_name=_person(rng),
        host_name=KEEPING_HOST,
        arrangement=Secondment.Arrangement.ATTACHMENT,
        start_date=start,
        planned_end_date=planned_end,
        returned_on=late if late < context.today and rng.random() < 0.5 else None,
        approved_by="区委组织部",
        approved_on=start - datetime.timedelta(days=3),
        hr_filed_on=None,
    )
