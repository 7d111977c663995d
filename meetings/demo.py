"""A year of demo meetings (see ``burden.demo_records``).

An ordinary meeting passes every meeting rule: at most 90 minutes, online when it only
notifies or when the trip would take as long as the meeting, the top leader asked
for only when it is essential, one work deployment a year per organizer and unit, and
a week at least between two meetings of the same organizer for the same unit; the
year's work deployment is the organizer's one comprehensive work meeting, its
principal's speech under an hour, and a meeting a deputy leader called does not ask
for the top leader. The flags come from two habits — the bureau that wants photos and
check-ins as proof of attendance (``TRACES``) and the one whose long meetings the top
leader must sit through in person (``LONG_MEETINGS``) — and from rare slips (among them
a second comprehensive work meeting in a year, a speech of over an hour, a deputy's
meeting that requires the top leader).
"""

from burden.demo_records import LONG_MEETINGS, TRACES

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
# Study-and-transmission meetings are on the negative list: only a slip holds one.
CATEGORY_WEIGHTS = {
    Meeting.Category.DEPLOYMENT: 22,
    Meeting.Category.NOTIFICATION: 12,
    Meeting.Category.COORDINATION: 26,
    Meeting.Category.TRAINING: 18,
    Meeting.Category.EVALUATION: 12,
    Meeting.Category.OTHER: 10,
}
LONG_MEETING_TITLES = ["食品安全工作调度会", "市场监管重点工作推进会", "特种设备安全工作会"]
MERGE_DAYS = 7  # MTG-MERGE's default: meetings of one organizer this close could have been one


def demo_records(context) -> int:
    rng = context.rng
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    meetings = []
    for unit in context.communities + context.streets:
        rate = 0.3 if unit.level == "community" else 0.7  # meetings per working day
        last_met = {}  # organizer -> the day of its last meeting for this unit
        deployed = set()  # (organizer, year) that already held a work deployment for this unit
        for day, season in context.days():
            for _ in range(context.count(rate * season)):
                recent = {pk for pk, last in last_met.items() if (day - last).days <= MERGE_DAYS}
                source = context.source_for(unit, avoid=recent)
                last_met[source.pk] = day
                category = rng.choices(categories, weights)[0]
                if category == Meeting.Category.DEPLOYMENT and (source.pk, day.year) in deployed:
                    category = Meeting.Category.COORDINATION  # deployed already: this one coordinates
                if category == Meeting.Category.DEPLOYMENT:
                    deployed.add((source.pk, day.year))
                meeting = _ordinary(rng, unit, source, day, category)
                habit = context.habit(source)
                if habit == TRACES:
                    meeting.trace_requirements = rng.choice([["photo", "checkin"], ["checkin"], ["photo"]])
                elif habit == LONG_MEETINGS:
                    _long(rng, meeting)
                elif context.slip():
                    _slip(rng, meeting)
                meeting.external_id = context.external_id("meeting")
                meetings.append(meeting)
    return context.save(Meeting, meetings)


def _ordinary(rng, unit, source, day, category) -> Meeting:
    """A meeting that breaks no rule: short, online when it could be, the top leader only when essential."""
    mode = rng.choices(list(Meeting.Mode.values), [60, 30, 10])[0]
    if category == Meeting.Category.NOTIFICATION:
        mode = Meeting.Mode.ONLINE  # a notification can be read out on a call
    duration = rng.choice([45, 60, 60, 90, 90])
    attendees = rng.choice([1, 1, 2, 2, 3, 4])
    deputy = rng.random() < 0.3
    top_leader = not deputy and rng.random() < 0.12
    comprehensive = category == Meeting.Category.DEPLOYMENT
    return Meeting(
        unit=unit,
        source_unit=source,
        title=rng.choice(TITLES[category]),
        date=day,
        category=category,
        mode=mode,
        duration_minutes=duration,
        # In person only when the trip is shorter than the meeting.
        travel_minutes=0 if mode == Meeting.Mode.ONLINE else rng.choice([10, 15, 20, 30]),
        attendees=attendees,
        accompanying=1 if attendees > 1 and rng.random() < 0.08 else 0,
        top_leader_required=top_leader,
        essential=top_leader,
        needs_decision_in_room=rng.random() < 0.15,
        comprehensive=comprehensive,
        called_by_deputy=deputy,
        principal_speech_minutes=min(duration, rng.choice([20, 30, 40, 45])) if comprehensive else None,
        trace_requirements=[],
    )


def _long(rng, meeting: Meeting) -> None:
    """``LONG_MEETINGS``: half a day in the organizer's hall, the top leader required for no reason."""
    meeting.title = rng.choice(LONG_MEETING_TITLES)
    meeting.category = Meeting.Category.COORDINATION
    meeting.mode = Meeting.Mode.IN_PERSON
    meeting.duration_minutes = rng.choice([150, 180, 210])
    meeting.travel_minutes = rng.choice([30, 40, 60])
    meeting.top_leader_required = True
    meeting.essential = False


def _slip(rng, meeting: Meeting) -> None:
    """One rule broken by an ordinary organizer on an ordinary day."""
    slip = rng.choice(["long", "leader", "study", "comprehensive", "speech", "deputy"])
    if slip == "long":
        meeting.duration_minutes = 120
    elif slip == "leader":
        meeting.top_leader_required, meeting.essential = True, False
    elif slip == "comprehensive":
        meeting.comprehensive = True  # a second one in the year, when its deployment came first
    elif slip == "speech":
        meeting.duration_minutes = 90
        meeting.principal_speech_minutes = rng.choice([70, 75, 80])
    elif slip == "deputy":
        meeting.called_by_deputy = True
        meeting.top_leader_required, meeting.essential = True, True
    else:
        meeting.category = Meeting.Category.STUDY_TRANSMISSION
        meeting.title = rng.choice(TITLES[meeting.category])
