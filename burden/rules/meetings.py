"""Meeting rules (paper 3.1 and 4.1.2: fewer, shorter meetings, online where possible).

Record rules (``MTG-DURATION``, ``MTG-ONLINE``, ``MTG-LEADER``) are queryset filters.
The aggregate ones compare meetings with each other, with window functions, in one
SQL statement however many meetings there are:

- ``MTG-NEGATIVE`` also reads earlier meetings (a *repeated* work deployment);
- ``MTG-ACCOMPANY`` adds up a unit's accompanying attendees over a calendar year;
- ``MTG-MERGE`` compares a meeting with the previous one from the same organizer.
"""

import dataclasses
import datetime

from django.db.models import DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Window
from django.db.models.functions import ExtractYear, Lag
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting

from .base import Param, Rule, register

#: Not a category of its own: a work deployment meeting that repeats an earlier one.
REPEATED_DEPLOYMENT = "repeated_deployment"


def _category_label(code: str) -> str:
    if code == REPEATED_DEPLOYMENT:
        return str(_("Repeated work deployment"))
    return str(dict(Meeting.Category.choices).get(code, code))


def _render_with_category(rule: Rule, values: dict, params: dict) -> str:
    merged = {**params, **values}
    if "category" in merged:
        merged["category"] = _category_label(merged["category"])
    return str(rule.message) % merged


def _widened(records, *fields: str):
    """All meetings sharing the values of ``fields`` with a meeting of ``records``.

    An aggregate rule given a few records (what a saved meeting can affect) still has
    to compare them with every meeting of their group; given every meeting, it is them.
    """
    if not records.query.has_filters():
        return records
    base = Meeting.objects.all()
    for name in fields:
        if name == "year":
            base = base.filter(date__year__in=records.annotate(_year=ExtractYear("date")).values("_year"))
        else:
            base = base.filter(**{f"{name}__in": records.values(name)})
    return base


@register
class MeetingDuration(Rule):
    """Paper 4.1.2: meetings kept short."""

    code = "MTG-DURATION"
    title = _("Meeting too long")
    description = _("A meeting that lasts longer than the limit.")
    message = _("Lasted %(minutes)s minutes, over the limit of %(max_minutes)s minutes")
    clause = "4.1.2"
    record_kind = "meeting"
    severity = "low"
    params = (Param("max_minutes", _("Longest allowed (minutes)"), default=90, minimum=1),)

    def find(self, records, params, today):
        rows = records.filter(duration_minutes__gt=params["max_minutes"]).values(
            "pk", "unit_id", "source_unit_id", "duration_minutes"
        )
        for row in rows:
            yield self.finding(row, minutes=row["duration_minutes"])


@register
class MeetingCouldBeOnline(Rule):
    """Paper 4.1.2: matters that a call or an online platform can settle get no meeting.

    Flags an in-person meeting with no decision that needs a room when its category is
    on the list, or when the unit's travel to it takes at least ``travel_ratio_percent``
    per cent of the meeting's length (100: travel as long as the meeting or longer).
    """

    code = "MTG-ONLINE"
    title = _("Meeting could have been online")
    description = _(
        "An in-person meeting with no decision that needs a room, whose category could be handled online or "
        "whose travel takes as long as the meeting itself."
    )
    message = _(
        "Held in person with no decision needing a room (category: %(category)s; %(travel_minutes)s minutes of "
        "travel for a %(minutes)s-minute meeting, online when travel reaches %(travel_ratio_percent)s%% of it)"
    )
    clause = "4.1.2"
    record_kind = "meeting"
    severity = "low"
    params = (
        Param(
            "categories",
            _("Categories that can be held online"),
            default=(Meeting.Category.NOTIFICATION.value, Meeting.Category.STUDY_TRANSMISSION.value),
            kind="choices",
            choices=tuple(Meeting.Category.choices),
        ),
        Param("travel_ratio_percent", _("Travel as a share of the meeting (per cent)"), default=100, minimum=1),
    )

    def find(self, records, params, today):
        rows = (
            records.filter(mode=Meeting.Mode.IN_PERSON, needs_decision_in_room=False)
            .alias(
                travel_share=F("travel_minutes") * 100,
                length_share=F("duration_minutes") * params["travel_ratio_percent"],
            )
            .filter(Q(category__in=params["categories"]) | Q(travel_share__gte=F("length_share")))
            .values("pk", "unit_id", "source_unit_id", "category", "travel_minutes", "duration_minutes")
        )
        for row in rows:
            yield self.finding(
                row, category=row["category"], travel_minutes=row["travel_minutes"], minutes=row["duration_minutes"]
            )

    def render(self, values, params):
        return _render_with_category(self, values, params)


@register
class MeetingNegativeList(Rule):
    """Paper 4.1.2: a negative list of meetings — no general "study and transmission" meetings,
    no repeated deployment meetings held "to unify thinking".

    The list holds meeting categories, and ``repeated_deployment``: a work deployment
    meeting when the same organizer already held one for the same unit earlier in the
    same calendar year (the first one is not flagged; every later one is).
    """

    code = "MTG-NEGATIVE"
    title = _("Meeting on the negative list")
    description = _(
        "A meeting of a kind the negative list forbids: general study-and-transmission meetings and repeated "
        "work deployment meetings."
    )
    message = _("A meeting of a kind on the negative list: %(category)s")
    clause = "4.1.2"
    record_kind = "meeting"
    severity = "medium"
    aggregate = True
    params = (
        Param(
            "categories",
            _("Categories on the negative list"),
            default=(REPEATED_DEPLOYMENT, Meeting.Category.STUDY_TRANSMISSION.value),
            kind="choices",
            choices=(*Meeting.Category.choices, (REPEATED_DEPLOYMENT, _("Repeated work deployment"))),
        ),
    )

    def find(self, records, params, today):
        listed = [category for category in params["categories"] if category != REPEATED_DEPLOYMENT]
        query = Q(category__in=listed)
        repeats = REPEATED_DEPLOYMENT in params["categories"]
        if repeats:
            earlier = Meeting.objects.filter(
                category=Meeting.Category.DEPLOYMENT,
                unit_id=OuterRef("unit_id"),
                source_unit_id=OuterRef("source_unit_id"),
                date__year=ExtractYear(OuterRef("date")),
            ).filter(Q(date__lt=OuterRef("date")) | Q(date=OuterRef("date"), pk__lt=OuterRef("pk")))
            query |= Q(category=Meeting.Category.DEPLOYMENT, source_unit__isnull=False) & Q(Exists(earlier))
        rows = records.filter(query).values("pk", "unit_id", "source_unit_id", "category")
        for row in rows:
            category = row["category"]
            if category not in listed:
                category = REPEATED_DEPLOYMENT
            yield self.finding(row, category=category)

    def related(self, record):
        # A deployment meeting moved or deleted changes whether the later ones repeat it.
        return Meeting.objects.filter(
            Q(pk=record.pk)
            | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id, date__year=record.date.year)
        )

    def render(self, values, params):
        return _render_with_category(self, values, params)


@register
class MeetingTopLeader(Rule):
    """Paper 4.1.2: the top leader is not required to attend unless it is necessary."""

    code = "MTG-LEADER"
    title = _("Top leader required without need")
    description = _("The meeting requires the unit's top leader although the organizer has not marked it essential.")
    message = _("Requires the top leader although the meeting is not marked essential")
    clause = "4.1.2"
    record_kind = "meeting"
    severity = "low"

    def find(self, records, params, today):
        for row in records.filter(top_leader_required=True, essential=False).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)


@register
class MeetingAccompanying(Rule):
    """Paper 3.1 (50-odd accompanying attendances in a year) and 4.1.2 ("reduce accompanying").

    Adds up the unit's accompanying attendees over each calendar year, meeting by
    meeting in date order; every meeting with accompanying attendees that brings the
    running total above ``max_per_year`` is flagged (the meetings before it are not:
    they were within the limit when they happened).
    """

    code = "MTG-ACCOMPANY"
    title = _("Too many accompanying attendances")
    description = _("A unit's accompanying attendances at meetings in a calendar year pass the limit.")
    message = _(
        "Accompanying attendances of the unit in %(year)s reached %(total)s with this meeting, over the limit "
        "of %(max_per_year)s"
    )
    clause = "3.1"
    record_kind = "meeting"
    severity = "medium"
    aggregate = True
    params = (Param("max_per_year", _("Accompanying attendances allowed a year"), default=50, minimum=0),)

    def find(self, records, params, today):
        rows = (
            _widened(records, "unit_id", "year")
            .annotate(
                year=ExtractYear("date"),
                running_total=Window(
                    Sum("accompanying"),
                    partition_by=[F("unit_id"), ExtractYear("date")],
                    order_by=[F("date").asc(), F("pk").asc()],
                ),
            )
            .filter(running_total__gt=params["max_per_year"], accompanying__gt=0)
            .values("pk", "unit_id", "source_unit_id", "year", "running_total")
        )
        for row in rows:
            # Dated by its year's first day: the year's attendances together are the burden.
            year_start = datetime.date(row["year"], 1, 1)
            yield self.finding(row, occurred_on=year_start, year=row["year"], total=row["running_total"])

    def related(self, record):
        return Meeting.objects.filter(Q(pk=record.pk) | Q(unit_id=record.unit_id, date__year=record.date.year))


@register
class MeetingMerge(Rule):
    """Paper 4.1.2: "one meeting, many topics" — meetings of the same organizer for the same
    unit close together could have been one.

    Flags a meeting held within ``max_days`` days after the previous meeting of the same
    organizer for the same unit (same day counts; the later one, or on the same day
    the one entered later, is flagged). The key is the earlier meeting's id.
    """

    code = "MTG-MERGE"
    title = _("Meetings that could be merged")
    description = _(
        "Two meetings of the same organizer for the same unit within a few days of each other could have been one."
    )
    message = _(
        "Held %(days)s days after another meeting of the same organizer (%(earlier_date)s), within the "
        "%(max_days)s days in which they could have been one"
    )
    clause = "4.1.2"
    record_kind = "meeting"
    severity = "low"
    aggregate = True
    params = (Param("max_days", _("Days apart that could be one meeting"), default=7, minimum=0, maximum=366),)

    def find(self, records, params, today):
        ordering = {
            "partition_by": [F("unit_id"), F("source_unit_id")],
            "order_by": [F("date").asc(), F("pk").asc()],
        }
        rows = (
            _widened(records, "unit_id", "source_unit_id")
            .filter(source_unit__isnull=False)
            .annotate(
                earlier_date=Window(Lag("date"), **ordering),
                earlier_pk=Window(Lag("pk"), **ordering),
            )
            .annotate(gap=ExpressionWrapper(F("date") - F("earlier_date"), output_field=DurationField()))
            .filter(gap__lte=datetime.timedelta(days=params["max_days"]))
            .values("pk", "unit_id", "source_unit_id", "date", "earlier_date", "earlier_pk")
        )
        for row in rows:
            days = (row["date"] - row["earlier_date"]).days
            finding = self.finding(row, days=days, earlier_date=row["earlier_date"].isoformat())
            yield dataclasses.replace(finding, key=str(row["earlier_pk"]))

    def related(self, record):
        return Meeting.objects.filter(Q(pk=record.pk) | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id))
