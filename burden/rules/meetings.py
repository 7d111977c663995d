"""Meeting rules (paper 3.1 and 4.1.2, and part 二 of the 2024 regulation: fewer, shorter meetings).

Record rules (``MTG-DURATION``, ``MTG-ONLINE``, ``MTG-LEADER``, ``MTG-SPEECH``) are
queryset filters. The aggregate ones compare meetings with each other, with window
functions, in one SQL statement however many meetings there are:

- ``MTG-NEGATIVE`` also reads earlier meetings (a *repeated* work deployment);
- ``MTG-ACCOMPANY`` adds up a unit's accompanying attendees over a calendar year;
- ``MTG-MERGE`` compares a meeting with the previous one from the same organizer;
- ``MTG-COMPREHENSIVE`` counts an organizer's comprehensive work meetings a unit is
  called to in a calendar year.
"""

import datetime
from itertools import groupby
from operator import itemgetter

from django.db.models import BooleanField, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Window
from django.db.models.functions import ExtractYear, Lag
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting

from .base import Param, Part, Rule, Source, register

#: Not a category of its own: a work deployment meeting that repeats an earlier one.
REPEATED_DEPLOYMENT = "repeated_deployment"


def _category_label(code: str) -> str:
    if code == REPEATED_DEPLOYMENT:
        return str(_("Repeated work deployment"))
    return str(dict(Meeting.Category.choices).get(code, code))


def _render_with_category(message, values: dict, params: dict) -> str:
    merged = {**params, **values}
    if "category" in merged:
        merged["category"] = _category_label(merged["category"])
    return str(message) % merged


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
    quote = _("Keep meetings short and their attendance narrow; speak to the point.")
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
    Which of the two held is kept as ``reasons``, so that the message gives only those.

    A meeting on the negative list is not also flagged here: ``MTG-NEGATIVE`` says it
    should not have been held at all, and its message adds that it was held in person.
    """

    code = "MTG-ONLINE"
    title = _("Meeting could have been online")
    description = _(
        "An in-person meeting with no decision that needs a room, whose category could be handled online or "
        "whose travel takes as long as the meeting itself."
    )
    #: For violations found before ``reasons`` was kept: both conditions, as they were then.
    message = _(
        "Held in person with no decision needing a room (category: %(category)s; %(travel_minutes)s minutes of "
        "travel for a %(minutes)s-minute meeting, online when travel reaches %(travel_ratio_percent)s%% of it)"
    )
    message_category = _(
        "Held in person with no decision needing a room, though meetings of its category (%(category)s) can be "
        "held online"
    )
    message_travel = _(
        "Held in person with no decision needing a room, with %(travel_minutes)s minutes of travel for a "
        "%(minutes)s-minute meeting: at or over %(travel_ratio_percent)s%% of its length, the share from which it "
        "should be online"
    )
    message_both = _(
        "Held in person with no decision needing a room, though meetings of its category (%(category)s) can be "
        "held online, and with %(travel_minutes)s minutes of travel for a %(minutes)s-minute meeting: at or over "
        "%(travel_ratio_percent)s%% of its length, the share from which it should be online"
    )
    clause = "4.1.2"
    quote = _("Matters a call or an online platform can settle get no meeting.")
    record_kind = "meeting"
    severity = "low"
    superseded_by = ("MTG-NEGATIVE",)
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
    REASONS = ("category", "travel")

    def find(self, records, params, today):
        # Each condition is judged once, in SQL: the filter and the reasons cannot disagree.
        rows = (
            records.filter(mode=Meeting.Mode.IN_PERSON, needs_decision_in_room=False)
            .alias(
                travel_share=F("travel_minutes") * 100,
                length_share=F("duration_minutes") * params["travel_ratio_percent"],
            )
            .annotate(
                by_category=ExpressionWrapper(Q(category__in=params["categories"]), output_field=BooleanField()),
                by_travel=ExpressionWrapper(Q(travel_share__gte=F("length_share")), output_field=BooleanField()),
            )
            .filter(Q(by_category=True) | Q(by_travel=True))
            .values(
                "pk",
                "unit_id",
                "source_unit_id",
                "category",
                "travel_minutes",
                "duration_minutes",
                "by_category",
                "by_travel",
            )
        )
        for row in rows:
            yield self.finding(
                row,
                reasons=[reason for reason in self.REASONS if row[f"by_{reason}"]],
                category=row["category"],
                travel_minutes=row["travel_minutes"],
                minutes=row["duration_minutes"],
            )

    def render(self, values, params):
        messages = {
            ("category",): self.message_category,
            ("travel",): self.message_travel,
            ("category", "travel"): self.message_both,
        }
        reasons = values.get("reasons")
        message = messages.get(tuple(reasons), self.message) if reasons is not None else self.message
        return _render_with_category(message, values, params)


@register
class MeetingNegativeList(Rule):
    """Paper 4.1.2: a negative list of meetings — no general "study and transmission" meetings,
    no repeated deployment meetings held "to unify thinking".

    The list holds meeting categories, and ``repeated_deployment``: a work deployment
    meeting when the same organizer already held one for the same unit earlier in the
    same calendar year (the first one is not flagged; every later one is).

    It supersedes ``MTG-ONLINE``: a meeting that should not have been held gets this
    one flag, which says too when it was held in person with no decision needing a room
    (``in_person_no_decision``), the most it could have been being an online one.
    """

    code = "MTG-NEGATIVE"
    title = _("Meeting on the negative list")
    description = _(
        "A meeting of a kind the negative list forbids: general study-and-transmission meetings and repeated "
        "work deployment meetings."
    )
    message = _("A meeting of a kind on the negative list: %(category)s")
    message_in_person = _(
        "A meeting of a kind on the negative list: %(category)s; held in person with no decision needing a room, "
        "it could at most have been online"
    )
    clause = "4.1.2"
    quote = _(
        "A negative list of meetings: none held for general study and transmission, none repeating a "
        "deployment to unify thinking."
    )
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
        rows = records.filter(query).values(
            "pk", "unit_id", "source_unit_id", "category", "mode", "needs_decision_in_room"
        )
        for row in rows:
            category = row["category"]
            if category not in listed:
                category = REPEATED_DEPLOYMENT
            in_person = row["mode"] == Meeting.Mode.IN_PERSON and not row["needs_decision_in_room"]
            yield self.finding(row, category=category, in_person_no_decision=in_person)

    def related(self, record):
        # A deployment meeting moved or deleted changes whether the later ones repeat it.
        return Meeting.objects.filter(
            Q(pk=record.pk)
            | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id, date__year=record.date.year)
        )

    def render(self, values, params):
        # Violations found before ``in_person_no_decision`` was kept read as they did.
        message = self.message_in_person if values.get("in_person_no_decision") else self.message
        return _render_with_category(message, values, params)


@register
class MeetingTopLeader(Rule):
    """2024 regulation, part II (二、严格精简会议), and paper 4.1.2: the principal is not required unless needed.

    The part is cited, as the number of its article could not be confirmed.

    Flags a meeting that requires the unit's top leader when the organizer has not
    marked it essential (the paper's "not without need"), or when a deputy leader called
    it, essential or not (the regulation: a meeting called by the leader in charge
    generally does not require the principals below). Which of the two held is kept as
    ``reasons``, for the message. The rule now cites the regulation, whose article is the
    binding one and covers both; the paper's case stays as its first reason.
    """

    code = "MTG-LEADER"
    title = _("Top leader required without need")
    description = _(
        "The meeting requires the unit's top leader although the organizer has not marked it essential, or "
        "although a deputy leader called it."
    )
    #: Also for violations found before ``reasons`` was kept.
    message = _("Requires the top leader although the meeting is not marked essential")
    message_deputy = _("Requires the top leader although a deputy leader called the meeting")
    message_both = _(
        "Requires the top leader although the meeting is not marked essential and a deputy leader called it"
    )
    source = Source.REGULATION_2024
    clause = Part("II")
    quote = _(
        "A meeting called and deployed by the leader in charge generally does not require the principals of the "
        "units below to attend."
    )
    record_kind = "meeting"
    severity = "low"
    REASONS = ("not_essential", "deputy")

    def find(self, records, params, today):
        rows = (
            records.filter(top_leader_required=True)
            .filter(Q(essential=False) | Q(called_by_deputy=True))
            .values("pk", "unit_id", "source_unit_id", "essential", "called_by_deputy")
        )
        for row in rows:
            held = {"not_essential": not row["essential"], "deputy": row["called_by_deputy"]}
            yield self.finding(row, reasons=[reason for reason in self.REASONS if held[reason]])

    def render(self, values, params):
        messages = {("deputy",): self.message_deputy, ("not_essential", "deputy"): self.message_both}
        message = messages.get(tuple(values.get("reasons") or ()), self.message)
        return str(message) % {**params, **values}


@register
class MeetingSpeech(Rule):
    """2024 regulation, part II (二、严格精简会议): a principal's speech or main report lasts at most an hour.

    The part is cited, as the number of its article could not be confirmed.
    """

    code = "MTG-SPEECH"
    title = _("Principal's speech too long")
    description = _("The principal leader's speech or the meeting's main report lasts longer than the limit.")
    message = _("The principal's speech or main report lasted %(minutes)s minutes, over the limit of %(max_minutes)s")
    source = Source.REGULATION_2024
    clause = Part("II")
    quote = _("A principal leader's speech or a meeting's main report does not exceed one hour.")
    record_kind = "meeting"
    severity = "low"
    params = (Param("max_minutes", _("Longest speech allowed (minutes)"), default=60, minimum=1),)

    def find(self, records, params, today):
        rows = records.filter(principal_speech_minutes__gt=params["max_minutes"]).values(
            "pk", "unit_id", "source_unit_id", "principal_speech_minutes"
        )
        for row in rows:
            yield self.finding(row, minutes=row["principal_speech_minutes"])


@register
class MeetingComprehensive(Rule):
    """2024 regulation, part II (二、严格精简会议): a system's comprehensive work meeting, once a year.

    The part is cited, as the number of its article could not be confirmed.

    Counts the comprehensive work meetings (``comprehensive``) of one organizer (the
    system: its source unit) a unit was called to in a calendar year; a year with more
    than ``max_per_year`` is one finding (keyed by organizer and year, anchored on the
    first, dated by it) listing every one of them. It goes to that organizer.
    """

    code = "MTG-COMPREHENSIVE"
    title = _("Too many comprehensive work meetings")
    description = _(
        "An organizer calls the unit to more comprehensive work meetings of its system in a calendar year than "
        "the limit."
    )
    message = _(
        "%(count)s comprehensive work meetings of the same organizer in %(year)s, over the limit of %(max_per_year)s"
    )
    source = Source.REGULATION_2024
    clause = Part("II")
    quote = _("A system's or a field's comprehensive work meeting is held, in principle, no more than once a year.")
    record_kind = "meeting"
    severity = "medium"
    aggregate = True
    params = (Param("max_per_year", _("Comprehensive work meetings allowed a year"), default=1, minimum=0),)

    def find(self, records, params, today):
        rows = (
            _widened(records, "unit_id", "source_unit_id", "year")
            .filter(comprehensive=True, source_unit__isnull=False)
            .annotate(
                year=ExtractYear("date"),
                year_count=Window(Count("pk"), partition_by=[F("unit_id"), F("source_unit_id"), ExtractYear("date")]),
            )
            .filter(year_count__gt=params["max_per_year"])
            .order_by("unit_id", "source_unit_id", "year", "date", "pk")
            .values("pk", "unit_id", "source_unit_id", "date", "year", "year_count")
        )
        for (_unit, source, year), meetings in groupby(
            rows.iterator(), key=itemgetter("unit_id", "source_unit_id", "year")
        ):
            meetings = list(meetings)
            yield self.group(
                meetings,
                f"{source}:{year}",
                occurred_on=meetings[0]["date"],
                count=meetings[0]["year_count"],
                year=year,
            )

    def related(self, record):
        return Meeting.objects.filter(
            Q(pk=record.pk)
            | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id, date__year=record.date.year)
        )


@register
class MeetingAccompanying(Rule):
    """Paper 3.1 (50-odd accompanying attendances in a year) and 4.1.2 ("reduce accompanying").

    Adds up the unit's accompanying attendees over each calendar year; a year above
    ``max_per_year`` is one finding (keyed by the year, dated by its first day) listing
    every meeting of it with accompanying attendees: the year's attendances together
    are the burden. It goes to the organizer that asked for the most attendances.
    """

    code = "MTG-ACCOMPANY"
    title = _("Too many accompanying attendances")
    description = _("A unit's accompanying attendances at meetings in a calendar year pass the limit.")
    message = _(
        "Accompanying attendances of the unit in %(year)s reached %(total)s, over the limit of %(max_per_year)s"
    )
    clause = "3.1"
    quote = _("Grassroots cadres accompanied more than fifty meetings in a year, with little to show for the time.")
    record_kind = "meeting"
    severity = "medium"
    aggregate = True
    params = (Param("max_per_year", _("Accompanying attendances allowed a year"), default=50, minimum=0),)

    def find(self, records, params, today):
        rows = (
            _widened(records, "unit_id", "year")
            .filter(accompanying__gt=0)
            .annotate(
                year=ExtractYear("date"),
                total=Window(Sum("accompanying"), partition_by=[F("unit_id"), ExtractYear("date")]),
            )
            .filter(total__gt=params["max_per_year"])
            .order_by("unit_id", "year", "date", "pk")
            .values("pk", "unit_id", "source_unit_id", "year", "total", "accompanying")
        )
        for (_unit, year), meetings in groupby(rows.iterator(), key=itemgetter("unit_id", "year")):
            meetings = list(meetings)
            yield self.group(
                meetings,
                str(year),
                # Dated by its year's first day: the year's attendances together are the burden.
                occurred_on=datetime.date(year, 1, 1),
                weight="accompanying",
                year=year,
                total=meetings[0]["total"],
            )

    def related(self, record):
        return Meeting.objects.filter(Q(pk=record.pk) | Q(unit_id=record.unit_id, date__year=record.date.year))


@register
class MeetingMerge(Rule):
    """Paper 4.1.2: "one meeting, many topics" — meetings of the same organizer for the same
    unit close together could have been one.

    A run of meetings of the same organizer for the same unit, each held within
    ``max_days`` days after the one before (the same day counts), is one finding
    anchored on its first meeting and listing them all, dated by the first.
    """

    code = "MTG-MERGE"
    title = _("Meetings that could be merged")
    description = _(
        "Two meetings of the same organizer for the same unit within a few days of each other could have been one."
    )
    message = _(
        "%(count)s meetings of the same organizer from %(first_date)s to %(last_date)s, each within "
        "%(max_days)s days of the one before, could have been one"
    )
    clause = "4.1.2"
    quote = _("One meeting for several topics: meetings for the same people on related matters are merged.")
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
            .order_by("unit_id", "source_unit_id", "date", "pk")
            .values("pk", "unit_id", "source_unit_id", "date", "earlier_date", "earlier_pk")
        )
        # Each meeting found follows the one before it in its run: a run starts at the
        # earlier meeting of a found one that does not itself follow the one found before.
        run: list[dict] = []
        for row in rows.iterator():
            if not run or run[-1]["pk"] != row["earlier_pk"]:
                if run:
                    yield self._run(run)
                run = [{**row, "pk": row["earlier_pk"], "date": row["earlier_date"]}]
            run.append(row)
        if run:
            yield self._run(run)

    def _run(self, meetings: list[dict]):
        first, last = meetings[0]["date"], meetings[-1]["date"]
        return self.group(
            meetings, occurred_on=first, count=len(meetings), first_date=first.isoformat(), last_date=last.isoformat()
        )

    def related(self, record):
        return Meeting.objects.filter(Q(pk=record.pk) | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id))
