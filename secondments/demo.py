"""Demo secondments: staff lent to task forces, some kept too long (see ``burden.demo_records``)."""

import datetime

from dateutil.relativedelta import relativedelta

from .models import Extension, Secondment

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"]
HOSTS = ["区创文工作专班", "区城市更新指挥部", "市第三轮巡察组", "区防汛指挥部", "区招商专班", "区信访工作专班"]


def demo_records(context) -> int:
    rng = context.rng
    secondments = []
    for unit in context.communities + context.streets:
        for _ in range(context.count(1.3 if unit.level == "community" else 3.0)):
            start = context.start + datetime.timedelta(days=rng.randint(0, 330))
            months = rng.choice([1, 2, 3, 3, 3, 4, 6])  # some first terms break the 3-month limit
            planned_end = start + relativedelta(months=months) - datetime.timedelta(days=1)
            back = planned_end + datetime.timedelta(days=rng.choice([0, 0, 0, 0, 5, 20]))
            secondments.append(
                Secondment(
                    unit=unit,
                    source_unit=context.source_for(unit),
                    person_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)]),
                    host_name=rng.choice(HOSTS),
                    start_date=start,
                    planned_end_date=planned_end,
                    returned_on=back if back < context.today else None,
                    approved_by=rng.choice(["", "组织部", "区委组织部"]) if rng.random() < 0.85 else "",
                    approved_on=start - datetime.timedelta(days=3) if rng.random() < 0.8 else None,
                    hr_filed_on=start + datetime.timedelta(days=7) if rng.random() < 0.7 else None,
                    external_id=context.external_id("secondment"),
                )
            )
    saved = context.save(Secondment, secondments)
    # A few terms were extended after the fact.
    for secondment in rng.sample(secondments, min(8, len(secondments))):
        Extension.objects.create(
            secondment=secondment,
            new_end_date=secondment.planned_end_date + relativedelta(months=rng.choice([1, 2, 3, 4])),
            approved_by=rng.choice(["区委组织部", ""]),
            approved_on=secondment.planned_end_date - datetime.timedelta(days=5),
        )
        secondment.burden_hours = secondment.compute_burden_hours(context.params)
        Secondment.objects.filter(pk=secondment.pk).update(burden_hours=secondment.burden_hours)
    return saved
