"""A year of demo meetings (see ``burden.demo_records``)."""

from .models import Meeting

TITLES = {
    Meeting.Category.DEPLOYMENT: [
        "安全生产工作部署会",
        "防汛备汛工作部署会",
        "创建文明城市推进会",
        "人口普查工作部署会",
    ],
    Meeting.Category.STUDY_TRANSMISSION: ["传达学习上级会议精神", "专题学习会", "理论学习中心组扩大学习会"],
    Meeting.Category.NOTIFICATION: ["重点工作情况通报会", "督查问题通报会"],
    Meeting.Category.COORDINATION: ["城市更新项目协调会", "信访积案化解调度会", "环境整治联席会"],
    Meeting.Category.TRAINING: ["网格员业务培训", "消防安全知识培训", "统计业务培训"],
    Meeting.Category.EVALUATION: ["年度考核述职会", "季度工作讲评会"],
    Meeting.Category.OTHER: ["座谈会", "现场观摩会"],
}
CATEGORY_WEIGHTS = [30, 18, 10, 16, 12, 8, 6]


def demo_records(context) -> int:
    rng = context.rng
    categories = list(TITLES)
    meetings = []
    for unit in context.communities + context.streets:
        rate = 0.3 if unit.level == "community" else 0.7  # meetings per working day
        for day, season in context.days():
            for _ in range(context.count(rate * season)):
                category = rng.choices(categories, CATEGORY_WEIGHTS)[0]
                mode = rng.choices(list(Meeting.Mode.values), [60, 30, 10])[0]
                attendees = rng.choice([1, 1, 2, 2, 3, 4])
                accompanying = rng.choice([0, 0, 0, 1]) if attendees > 1 else 0
                meetings.append(
                    Meeting(
                        unit=unit,
                        source_unit=context.source_for(unit),
                        title=rng.choice(TITLES[category]),
                        date=day,
                        category=category,
                        mode=mode,
                        duration_minutes=rng.choice([30, 45, 60, 60, 90, 90, 120, 150]),
                        travel_minutes=0 if mode == Meeting.Mode.ONLINE else rng.choice([20, 30, 40, 60, 90]),
                        attendees=attendees,
                        accompanying=accompanying,
                        top_leader_required=rng.random() < 0.25,
                        essential=rng.random() < 0.1,
                        needs_decision_in_room=rng.random() < 0.15,
                        trace_requirements=rng.choice([[], [], [], ["photo"], ["checkin"], ["photo", "material"]]),
                        external_id=context.external_id("meeting"),
                    )
                )
    return context.save(Meeting, meetings)
