"""The demo's case history: a few cases already on the ladder, so the review has something to read.

After the demo's sweep has gathered its cases, the people of the demo act on some of
them through the real services, as they would have over the past weeks: the district
reminds its emergency bureau, which replies; one reply is accepted; the city circulates
one notice over the statistics bureau's reminded cases and calls it to an interview,
whose minutes are recorded. The street's supervisor's own cases are left untouched, for a
newcomer to send the first reminder. Loaded once: a city whose cases already have letters
is left as it is.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Unit, User
from .cases import case_escalate, case_reply, case_transition, interview_minutes_record, notice_issue
from .models import Case, CaseLetter

REPLY = "已对照清单自查：部分会议可合并召开，今后同类事项统一安排，非必要不要求基层参会。"
MEASURES = "建立会议计划审核制度，每月汇总报区减负办备案。"
MINUTES = (
    "参加人员：市统计局分管负责同志、业务科室负责人；区减负办。\n"
    "市统计局说明：重复填报源于各科室分别下发表格。\n"
    "商定：一个月内梳理现有报表，能共享的数据不再要求基层重复填报，整改情况书面报送。"
)


def _cases(source_code: str, owner_code: str, count: int) -> list[Case]:
    return list(
        Case.objects.active()
        .filter(source_unit__code=source_code, owner_unit__code=owner_code, step=Case.Step.NONE)
        .select_related("source_unit", "owner_unit")
        .order_by("-weight", "pk")[:count]
    )


@transaction.atomic
def load_demo_case_history(today: datetime.date | None = None) -> int:
    """Move a few of the demo's cases along the ladder; the number of letters issued (0 if already done)."""
    if CaseLetter.objects.exists():
        return 0
    today = today or timezone.localdate()
    people = User.objects.in_bulk(
        ["sup_district", "staff_emergency", "admin", "staff_statistics"], field_name="username"
    )
    if len(people) < 4 or not Unit.objects.filter(code="DH-YJJ").exists():
        return 0
    district, emergency, city, statistics = (
        people["sup_district"],
        people["staff_emergency"],
        people["admin"],
        people["staff_statistics"],
    )
    letters = 0

    # The district and its emergency bureau: a reminder answered, and a reply accepted.
    bureau = _cases("DH-YJJ", "DH", 3)
    for days_ago, case in zip((20, 12), bureau, strict=False):
        case_escalate(
            case=case,
            user=district,
            note="请对照减负规定自查整改，并书面答复。",
            today=today - datetime.timedelta(days=days_ago),
        )
        letters += 1
        case_reply(case=case, user=emergency, note=REPLY, measures=MEASURES)
    if bureau:
        case_transition(case=bureau[0], user=district, status=Case.Status.RESOLVED, note="整改措施已落实，予以办结。")

    # The city and its statistics bureau: reminded twice, circulated in one notice, then an interview.
    stats = _cases("JC-TJJ", "JC", 2)
    for case in stats:
        case_escalate(
            case=case, user=city, note="请停止重复要求基层填报已有数据。", today=today - datetime.timedelta(days=30)
        )
        letters += 1
    if stats:
        notice_issue(
            cases=stats, user=city, note="提示后逾期未整改，予以通报。", today=today - datetime.timedelta(days=14)
        )
        letters += 1
        held = today - datetime.timedelta(days=2)
        case_escalate(
            case=stats[0],
            user=city,
            note="通报后仍未整改。",
            interview_on=held,
            today=held - datetime.timedelta(days=5),
        )
        letters += 1
        interview_minutes_record(case=stats[0], user=city, held_on=held, minutes=MINUTES, today=today)
        case_reply(case=stats[0], user=statistics, note="已按约谈要求梳理报表，共享数据不再重复下发。")
    return letters
