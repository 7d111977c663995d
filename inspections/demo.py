"""A year of demo inspections and the inspecting units' approved plans (see ``burden.demo_records``)."""

from decimal import Decimal

from .models import Inspection, InspectionPlan

TOPICS = ["安全生产", "消防安全", "食品安全", "环境卫生", "疫情防控", "基层党建", "信访维稳", "创文创卫"]


def demo_records(context) -> int:
    rng = context.rng
    years = {context.start.year, context.today.year}
    inspectors = rng.sample(context.departments, max(1, len(context.departments) * 2 // 3))
    plans = {}
    for department in inspectors:
        for year in years:
            plan, _created = InspectionPlan.objects.get_or_create(
                inspecting_unit=department,
                year=year,
                defaults={"approved_on": context.start.replace(month=1, day=15, year=year), "quota": rng.randint(2, 6)},
            )
            plans[(department.pk, year)] = plan
    inspections = []
    for unit in context.communities + context.streets:
        rate = 0.05 if unit.level == "community" else 0.12
        for day, season in context.days():
            for _ in range(context.count(rate * season)):
                source = context.source_for(unit)
                emergency = rng.random() < 0.08
                planned = (source.pk, day.year) in plans and rng.random() < 0.7
                inspections.append(
                    Inspection(
                        unit=unit,
                        source_unit=source,
                        title=f"{rng.choice(TOPICS)}{rng.choice(['督查', '检查', '考核', '暗访'])}",
                        date=day,
                        purpose=rng.choice(["supervision", "evaluation", "guidance", "supervision", ""]),
                        unannounced=rng.random() < 0.2,
                        plan=plans.get((source.pk, day.year)) if planned else None,
                        emergency=emergency,
                        tables_demanded=rng.choice([0, 2, 3, 5, 8, 12, 20]),
                        reports_demanded=rng.choice([0, 1, 2, 3, 6, 10]),
                        data_already_held=rng.random() < 0.3,
                        staff_involved=rng.randint(1, 5),
                        preparation_hours=Decimal(rng.choice([2, 4, 6, 8, 16, 24])),
                        onsite_hours=Decimal(rng.choice([1, 2, 3, 4])),
                        trace_requirements=rng.choice([[], ["photo"], ["material"], ["photo", "checkin", "material"]]),
                        external_id=context.external_id("inspection"),
                    )
                )
    return context.save(Inspection, inspections)
