"""Reads of the review: deadlines and overdue flags in SQL, the queue, cases, the bell, notifications, digests.

Deadlines are days (per severity) after the local day a flag was first seen; a flag is
overdue from the day after its due day while it is still open or acknowledged. Every
date condition here becomes a range on ``first_seen`` (one per severity), so the
database answers it with plain comparisons, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import Membership, Unit, Violation, ViolationRecord
from ..records.registry import kinds
from ..rules.base import severity_rank
from ..scoping import SUPERVISOR, Grant, Scope, scope_for

# ``Case`` here is Django's conditional expression; the 督办事项 is ``ReviewCase``.
from .models import Case as ReviewCase
from .models import CaseEvent, CaseLetter, NotificationPreference, ReviewDeadlines

ACTIVE = Q(status__in=Violation.OPEN_STATUSES)
NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)  # a condition that holds for every row (When() refuses an empty Q)
ONE_DAY = datetime.timedelta(days=1)

# Notification categories, most pressing first: each speaks of cases (督办事项), except the
# waivers expiring, which are a person's own decision on single flags.
OVERDUE, REPLIED, ESCALATED, DUE_SOON, NEW, OUTCOME, EXPIRING = (
    "overdue",
    "replied",
    "escalated",
    "due_soon",
    "new",
    "outcome",
    "expiring",
)
CATEGORIES = (OVERDUE, REPLIED, ESCALATED, DUE_SOON, NEW, OUTCOME, EXPIRING)
CATEGORY_LABELS = {
    OVERDUE: _("Overdue cases"),
    REPLIED: _("Replied, awaiting your decision"),
    ESCALATED: _("Letters to your department"),
    DUE_SOON: _("Cases due within 7 days"),
    NEW: _("New cases"),
    OUTCOME: _("Outcomes of cases your units feed"),
    EXPIRING: _("Waivers expiring within 7 days"),
}
#: How far back "new" reaches for someone who has never looked.
NEW_WINDOW = datetime.timedelta(days=7)


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def due_between(deadlines: ReviewDeadlines, first: datetime.date | None = None, last: datetime.date | None = None) -> Q:
    """Flags whose due day falls in ``first``..``last`` (inclusive; ``None`` leaves that end open)."""
    parts = []
    for severity, days in deadlines.days.items():
        part = Q(severity=severity)
        offset = datetime.timedelta(days=days)
        if first is not None:
            part &= Q(first_seen__gte=day_start(first - offset))
        if last is not None:
            part &= Q(first_seen__lt=day_start(last + ONE_DAY - offset))
        parts.append(part)
    return reduce(or_, parts, NOTHING)


def overdue_q(deadlines: ReviewDeadlines, today: datetime.date) -> Q:
    """Open or acknowledged flags whose due day is before ``today``."""
    return ACTIVE & due_between(deadlines, last=today - ONE_DAY)


def with_review_state(queryset: QuerySet, deadlines: ReviewDeadlines, today: datetime.date) -> QuerySet:
    """Annotate ``is_overdue`` and ``severity_rank`` (for sorting) in SQL."""
    return queryset.annotate(
        is_overdue=Case(When(overdue_q(deadlines, today), then=Value(True)), default=Value(False)),
        severity_rank=severity_rank(),
    )


def review_queue(user, *, deadlines: ReviewDeadlines, today: datetime.date) -> QuerySet:
    """The flags of every unit ``user`` reaches, with their units and review state."""
    queryset = Violation.objects.for_user(user).select_related("unit", "source_unit")
    return with_review_state(queryset, deadlines, today)


# --- Rows as the pages show them --------------------------------------------------------


def kinds_by_code() -> dict:
    """record_kind -> its registered ``Kind`` (model, labels, page names)."""
    return {kind.code: kind for kind in kinds()}


def decorate(violations: list[Violation], deadlines: ReviewDeadlines, *, with_records: bool = True) -> list[Violation]:
    """Give each violation its due day, its record's link and (optionally) its record.

    The records are read with one query per kind of record on the page, however many
    rows there are.
    """
    configs = kinds_by_code()
    records: dict[tuple[str, int], object] = {}
    if with_records:
        ids_by_kind: dict[str, set[int]] = {}
        for violation in violations:
            ids_by_kind.setdefault(violation.record_kind, set()).add(violation.record_id)
        for kind, ids in ids_by_kind.items():
            if kind in configs:
                for record in configs[kind].model.objects.filter(pk__in=ids):
                    records[(kind, record.pk)] = record
    for violation in violations:
        config = configs.get(violation.record_kind)
        violation.due_on = deadlines.due_on(violation)
        violation.record_label = config.model._meta.verbose_name if config else violation.record_kind
        violation.record_url = reverse(config.url_name("detail"), args=[violation.record_id]) if config else ""
        violation.record = records.get((violation.record_kind, violation.record_id))
    return violations


def records_by_ref(refs) -> dict[tuple[str, int], object]:
    """The records of ``refs`` (pairs of record kind and id), read with one query per kind."""
    configs = kinds_by_code()
    ids_by_kind: dict[str, set[int]] = {}
    for kind, record_id in refs:
        ids_by_kind.setdefault(kind, set()).add(record_id)
    found = {}
    for kind, ids in ids_by_kind.items():
        if kind in configs:
            for record in configs[kind].model.objects.filter(pk__in=ids).select_related("unit"):
                found[(kind, record.pk)] = record
    return found


@dataclass
class RecordRef:
    """A record behind a flag, as a page links it: its kind's label, its page and (if it still exists) itself."""

    kind: str
    record_id: int
    label: str
    url: str
    record: object = None


def record_ref(kind: str, record_id: int, records: dict) -> RecordRef:
    config = kinds_by_code().get(kind)
    return RecordRef(
        kind=kind,
        record_id=record_id,
        label=config.model._meta.verbose_name if config else kind,
        url=reverse(config.url_name("detail"), args=[record_id]) if config else "",
        record=records.get((kind, record_id)),
    )


# --- Cases ------------------------------------------------------------------------------

#: The case page lists this many of its flags (the rest are in the single-flag list, filtered by the case)
#: and this many records of each group flag.
CASE_FLAGS_SHOWN = 50
CASE_MEMBERS_SHOWN = 20
#: Example records per case on a letter.
LETTER_EXAMPLES = 3


def period_label(period: datetime.date, policy) -> str:
    """A case's period as people say it: the month (``March 2026``), or the quarter when cases gather by quarter."""
    if policy.period == policy.Period.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"quarter": (period.month - 1) // 3 + 1, "year": period.year}
    return date_format(period, "YEAR_MONTH_FORMAT")


def own_unit_ids(user) -> list[int]:
    """The units ``user`` holds a seat in (not the ones below them): whose cases are "against us"."""
    return sorted({grant.unit_id for grant in scope_for(user).grants})


def answers_cases(user) -> bool:
    """Whether ``user`` holds a seat in a department, or in any unit a case is against: one query.

    Such people get the queue's "cases against us".
    """
    own = own_unit_ids(user)
    if not own:
        return False
    against = ReviewCase.objects.filter(source_unit=OuterRef("pk"))
    return Unit.objects.filter(pk__in=own).filter(Q(level=Unit.Level.DEPARTMENT) | Exists(against)).exists()


def case_queue(user) -> QuerySet:
    """The cases ``user`` may see, with the units their rows show."""
    return ReviewCase.objects.for_user(user).select_related("source_unit", "owner_unit")


def case_violations(cases, user) -> QuerySet:
    """The flags of ``cases`` (a case, or a queryset or list of them) the viewer may see as their evidence.

    The flags on the viewer's units (``Violation.objects.for_user``), and, for the
    department a case is against, the flags it caused: its staff see the evidence they
    are asked to answer, in whichever units it lies. A street's supervisor facing a
    district bureau's case sees only the flags of their own street.
    """
    scope = scope_for(user)
    if scope.is_empty:
        return Violation.objects.none()
    within = Q(case__in=cases) if isinstance(cases, (list, QuerySet)) else Q(case=cases)
    caused = Violation.objects.filter(within).filter(scope.q("source_unit"))
    return Violation.objects.for_user(user).filter(within) | caused


def case_flags(case, user, *, limit: int = CASE_FLAGS_SHOWN) -> list[Violation]:
    """The flags of ``case`` the viewer may see (the first ``limit``), each with the records behind it.

    ``flag.records``: the records behind a group flag (the first ``CASE_MEMBERS_SHOWN``),
    or the one record of a record flag; ``flag.more_records`` how many more there are;
    ``flag.in_own_units`` whether its pages (and its records') are the viewer's to open.
    A fixed number of queries: the flags, their members, and one per kind of record.
    """
    scope = scope_for(user)
    flags = list(
        case_violations(case, user)
        .select_related("unit", "source_unit")
        .prefetch_related(Prefetch("members", queryset=ViolationRecord.objects.order_by("record_id")))
        .order_by("occurred_on", "pk")[:limit]
    )
    refs = []
    for flag in flags:
        flag.in_own_units = scope.role_at(flag.unit) is not None
        members = [(m.record_kind, m.record_id) for m in flag.members.all()]
        flag.record_refs = members[:CASE_MEMBERS_SHOWN] if members else [(flag.record_kind, flag.record_id)]
        flag.more_records = max(len(members) - CASE_MEMBERS_SHOWN, 0)
        flag.is_group = bool(members)
        refs.extend(flag.record_refs)
    records = records_by_ref(refs)
    for flag in flags:
        flag.records = [record_ref(kind, record_id, records) for kind, record_id in flag.record_refs]
    return flags


def case_events(case) -> list:
    """The case's timeline, oldest first, each event with the labels its row shows."""
    statuses = dict(ReviewCase.Status.choices)
    steps = dict(ReviewCase.Step.choices)
    events = list(case.events.select_related("actor", "letter__issuing_unit"))
    for event in events:
        event.from_label = statuses.get(event.from_status, "")
        event.to_label = statuses.get(event.to_status, "")
        event.step_label = steps.get(event.step, "")
    return events


def letters_for(user) -> QuerySet:
    """The letters ``user`` may read: those with at least one case the user may see."""
    visible = ReviewCase.objects.for_user(user).filter(letters=OuterRef("pk"))
    return CaseLetter.objects.filter(Exists(visible)).select_related("issuing_unit", "issued_by", "minutes_by")


def letter_cases(letter, user, *, examples: int = LETTER_EXAMPLES) -> list:
    """The cases of ``letter`` the reader may see, each with a few example records of its evidence.

    ``case.examples``: up to ``examples`` of its flags (earliest burden first) with their
    record; three queries and one per kind of record, however many cases the letter bundles.
    """
    cases = list(
        ReviewCase.objects.for_user(user)
        .filter(letters=letter)
        .select_related("source_unit", "owner_unit")
        .order_by("source_unit__path", "rule", "pk")
    )
    ranked = (
        case_violations(cases, user)
        .annotate(rank=Window(RowNumber(), partition_by=[F("case_id")], order_by=[F("occurred_on").asc(), F("pk")]))
        .filter(rank__lte=examples)
        .select_related("unit")
        .order_by("case_id", "rank")
    )
    flags = list(ranked)
    records = records_by_ref((flag.record_kind, flag.record_id) for flag in flags)
    by_case: dict[int, list] = {}
    for flag in flags:
        flag.record_ref = record_ref(flag.record_kind, flag.record_id, records)
        by_case.setdefault(flag.case_id, []).append(flag)
    for case in cases:
        case.examples = by_case.get(case.pk, [])
    return cases


# --- Notifications ----------------------------------------------------------------------

#: The preference (``NotificationPreference.wanted``) each category answers to. "New flags on
#: my units" became the news about cases: new ones, replies, letters and outcomes.
PREFERENCE_OF = {
    OVERDUE: "overdue",
    REPLIED: "new",
    ESCALATED: "new",
    DUE_SOON: "due_soon",
    NEW: "new",
    OUTCOME: "new",
    EXPIRING: "expiring",
}
CASE_CATEGORIES = tuple(c for c in CATEGORIES if c != EXPIRING)
OUTCOME_STATUSES = (ReviewCase.Status.RESOLVED, ReviewCase.Status.WAIVED, ReviewCase.Status.CLOSED)


@dataclass
class Watch:
    """What notifications need to know about one person: who, what they want, when they last looked."""

    user: object
    wanted: set[str]
    last_seen_at: datetime.datetime | None

    @property
    def scope(self) -> Scope:
        return scope_for(self.user)

    @property
    def categories(self) -> list[str]:
        """The categories the person wants, most pressing first; none for someone who reaches no unit."""
        if self.scope.is_empty:
            return []
        return [c for c in CATEGORIES if PREFERENCE_OF[c] in self.wanted]


def watch_for(user) -> Watch:
    """The person's preferences, in one query; without a row the model's defaults apply."""
    prefs = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
    return Watch(user=user, wanted=prefs.wanted, last_seen_at=prefs.last_seen_at)


def _event_after(kind: str, moment: datetime.datetime | None) -> Q:
    """Cases with an event of ``kind`` after ``moment`` (any, for ``None``)."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), kind=kind)
    if moment is not None:
        events = events.filter(at__gt=moment)
    return Q(Exists(events))


def case_category_q(category: str, watch: Watch, today: datetime.date, since: datetime.datetime) -> Q:
    """The cases a category lists today; ``since`` is where the news (new, letters, outcomes) starts.

    Overdue, due soon and replied are states: listed as long as they last. Replied cases are
    the owner's to decide, so only the owner's supervisors hear of them; letters are those
    addressed to the person's own department; outcomes those of cases their units' flags feed.
    """
    scope = watch.scope
    if category == OVERDUE:
        return Q(status=ReviewCase.Status.OPEN, deadline__lt=today)
    if category == DUE_SOON:
        return Q(status=ReviewCase.Status.OPEN, deadline__gte=today, deadline__lte=today + 7 * ONE_DAY)
    if category == REPLIED:
        return Q(status=ReviewCase.Status.REPLIED) & scope.q("owner_unit", SUPERVISOR)
    if category == ESCALATED:
        return Q(source_unit_id__in=own_unit_ids(watch.user)) & _event_after(CaseEvent.Kind.STEP, since)
    if category == OUTCOME:
        fed = Violation.objects.filter(case=OuterRef("pk")).filter(scope.q("unit"))
        return Q(status__in=OUTCOME_STATUSES, closed_at__gt=since) & Q(Exists(fed))
    return Q(opened_at__gt=since)


def case_unseen_q(category: str, today: datetime.date, seen_at: datetime.datetime | None) -> Q:
    """Within a category, the cases that became news after the person last looked.

    A case becomes news when it opens (new), on the day after its deadline (overdue), 7
    days and 1 day before its deadline (due soon), when it is replied to, when a letter
    goes out for it, and when it is decided (outcome).
    """
    if seen_at is None:
        return EVERYTHING
    seen_day = timezone.localdate(seen_at)
    if category == OVERDUE:
        return Q(deadline__gte=seen_day)
    if category == DUE_SOON:
        return Q(deadline__gte=seen_day + 8 * ONE_DAY) | Q(
            deadline__gte=seen_day + 2 * ONE_DAY, deadline__lte=today + ONE_DAY
        )
    if category == REPLIED:
        return _event_after(CaseEvent.Kind.REPLY, seen_at)
    if category == ESCALATED:
        return _event_after(CaseEvent.Kind.STEP, seen_at)
    if category == OUTCOME:
        return Q(closed_at__gt=seen_at)
    return Q(opened_at__gt=seen_at)


def expiring_q(today: datetime.date) -> Q:
    """Waived flags whose waiver ends within 7 days."""
    return Q(
        status=Violation.Status.WAIVED,
        waiver_expires_on__gt=today,
        waiver_expires_on__lte=today + 7 * ONE_DAY,
    )


def expiring_unseen_q(seen_at: datetime.datetime | None) -> Q:
    """A waiver becomes news 7 days before it expires."""
    if seen_at is None:
        return EVERYTHING
    return Q(waiver_expires_on__gt=timezone.localdate(seen_at) + 7 * ONE_DAY)


def _scoped_flags(watch: Watch) -> QuerySet:
    """The flags the person reaches (for the waivers expiring): the gate's own filter."""
    scope = watch.scope
    if scope.is_empty:
        return Violation.objects.none()
    return Violation.objects.filter(scope.q("unit"))


def _since(watch: Watch, now: datetime.datetime) -> datetime.datetime:
    """Where the page's news starts: a week back, or further to when the person last looked."""
    week = now - NEW_WINDOW
    return min(watch.last_seen_at, week) if watch.last_seen_at else week


#: The bell counts up to this many and then shows "99+": cases are few, but the count runs on
#: every page, and stopping at a hundred keeps it cheap whatever a city holds.
BELL_CAP = 100


def bell_count(watch: Watch, *, today: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """How many cases (and waivers expiring) are news to the person since they last looked, up to ``BELL_CAP``.

    One COUNT over a LIMIT on the cases ``Case.objects.for_user`` lets through, and one on
    the waivers when the person wants them; none for someone who reaches no unit.
    """
    categories = watch.categories
    if not categories:
        return 0
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    since = _since(watch, now)
    count = 0
    case_categories = [c for c in categories if c != EXPIRING]
    if case_categories:
        condition = reduce(
            or_,
            (
                case_category_q(c, watch, today, since) & case_unseen_q(c, today, watch.last_seen_at)
                for c in case_categories
            ),
        )
        # No ORDER BY: the LIMIT then stops the scan at the hundredth match.
        count = ReviewCase.objects.for_user(watch.user).filter(condition).order_by().values("pk")[:BELL_CAP].count()
    if EXPIRING in categories and count < BELL_CAP:
        unseen = expiring_q(today) & expiring_unseen_q(watch.last_seen_at)
        count += _scoped_flags(watch).filter(unseen).order_by().values("pk")[: BELL_CAP - count].count()
    return count


#: Where each category's cases are in the queue (``review:case_list`` and its filters).
CASE_LIST_FILTERS = {
    OVERDUE: "?overdue=true",
    REPLIED: "?status=replied",
    ESCALATED: "?against=us",
    DUE_SOON: "?overdue=false&status=open",
    NEW: "",
    OUTCOME: "?status=any",
}


@dataclass
class Department:
    """One source department's news in a headline: how many new cases against it, how many overdue."""

    unit: Unit | None
    new: int
    overdue: int

    @property
    def text(self) -> str:
        """``3 new cases against 市统计局; 1 overdue``, in the active language."""
        name = self.unit.label if self.unit else gettext("no source department")
        parts = []
        if self.new:
            parts.append(
                ngettext("%(count)s new case against %(unit)s", "%(count)s new cases against %(unit)s", self.new)
                % {"count": self.new, "unit": name}
            )
        if self.overdue:
            overdue = ngettext("%(count)s overdue", "%(count)s overdue", self.overdue) % {"count": self.overdue}
            parts.append(overdue if parts else gettext("%(unit)s: %(overdue)s") % {"unit": name, "overdue": overdue})
        return gettext("; ").join(parts)


@dataclass
class Section:
    """One category of notifications: its cases (or flags, for waivers) shown, how many, how many unseen."""

    category: str
    label: str
    items: list
    total: int
    unseen: int
    list_url: str = ""
    #: The queryset of every item, for a page that pages through one category.
    queryset: QuerySet | None = None


@dataclass
class Notifications:
    """The person's notifications: a headline per source department, then the sections."""

    departments: list[Department]
    sections: list[Section]

    def __bool__(self) -> bool:
        return bool(self.sections)


#: Departments named in the headline at most.
HEADLINE_DEPARTMENTS = 5


def _departments(cases: QuerySet, conditions: dict[str, Q]) -> list[Department]:
    """New and overdue cases per source department, most new first: two queries."""
    wanted = {c: conditions[c] for c in (NEW, OVERDUE) if c in conditions}
    if not wanted:
        return []
    rows = list(
        cases.filter(reduce(or_, wanted.values()))
        .order_by()
        .values("source_unit")
        .annotate(**{c: Count("pk", filter=q) for c, q in wanted.items()})
        .order_by(*(f"-{c}" for c in wanted), "source_unit")[:HEADLINE_DEPARTMENTS]
    )
    units = Unit.objects.in_bulk([row["source_unit"] for row in rows if row["source_unit"]])
    return [
        Department(unit=units.get(row["source_unit"]), new=row.get(NEW, 0), overdue=row.get(OVERDUE, 0)) for row in rows
    ]


def notification_sections(
    watch: Watch,
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    since: datetime.datetime | None = None,
    categories: dict[str, Q] | None = None,
    only: str | None = None,
    limit: int = 10,
) -> Notifications:
    """The person's notifications by category, in a fixed number of queries whatever they hold.

    One COUNT over the cases for every category at once, one for the waivers, two for the
    headline's departments, and one list per category with news (``limit`` items each).
    ``categories`` replaces the default conditions (the digest narrows "due soon" to the
    7- and 1-day marks); ``since`` replaces where the news starts; ``only`` keeps one category.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    since = since or _since(watch, now)
    wanted = [c for c in watch.categories if only in (None, c)]
    if not wanted:
        return Notifications(departments=[], sections=[])
    case_wanted = [c for c in wanted if c != EXPIRING]
    conditions = {c: case_category_q(c, watch, today, since) for c in case_wanted}
    conditions.update({c: q for c, q in (categories or {}).items() if c in conditions})
    unseen = {c: case_unseen_q(c, today, watch.last_seen_at) for c in case_wanted}
    cases = ReviewCase.objects.for_user(watch.user)
    counts = {}
    if case_wanted:
        counts = cases.aggregate(
            **{f"{c}_total": Count("pk", filter=conditions[c]) for c in case_wanted},
            **{f"{c}_unseen": Count("pk", filter=conditions[c] & unseen[c]) for c in case_wanted},
        )
    flags = _scoped_flags(watch)
    if EXPIRING in wanted:
        counts.update(
            flags.aggregate(
                expiring_total=Count("pk", filter=expiring_q(today)),
                expiring_unseen=Count("pk", filter=expiring_q(today) & expiring_unseen_q(watch.last_seen_at)),
            )
        )
    sections = []
    for category in wanted:
        if not counts[f"{category}_total"]:
            continue
        if category == EXPIRING:
            queryset = (
                flags.filter(expiring_q(today))
                .annotate(
                    is_new=Case(When(expiring_unseen_q(watch.last_seen_at), then=Value(True)), default=Value(False))
                )
                .select_related("unit", "source_unit", "case")
                .order_by("waiver_expires_on", "pk")
            )
            list_url = reverse("review:violation_list") + "?status=waived"
        else:
            order = ["deadline", "pk"] if category in (OVERDUE, DUE_SOON) else ["-opened_at", "-pk"]
            queryset = (
                cases.filter(conditions[category])
                .annotate(is_new=Case(When(unseen[category], then=Value(True)), default=Value(False)))
                .select_related("source_unit", "owner_unit")
                .order_by(*order)
            )
            list_url = reverse("review:case_list") + CASE_LIST_FILTERS[category]
        sections.append(
            Section(
                category=category,
                label=CATEGORY_LABELS[category],
                items=list(queryset[:limit]),
                total=counts[f"{category}_total"],
                unseen=counts[f"{category}_unseen"],
                list_url=list_url,
                queryset=queryset,
            )
        )
    departments = _departments(cases, conditions) if sections and only is None else []
    return Notifications(departments=departments, sections=sections)


# --- The daily digest -----------------------------------------------------------------


def digest_recipients() -> list[tuple[object, NotificationPreference, Scope]]:
    """Everyone who wants the digest, with their preferences and scope: two queries in all.

    Each user carries its scope (as ``scope_for`` caches it), so reading their cases
    through ``Case.objects.for_user`` asks for no membership again.
    """
    prefs = list(
        NotificationPreference.objects.filter(email_digest=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    grants: dict[int, list[Grant]] = {}
    rows = Membership.objects.filter(user__in=[p.user_id for p in prefs]).values_list(
        "user_id", "unit_id", "unit__path", "role"
    )
    for user_id, unit_id, path, role in rows:
        grants.setdefault(user_id, []).append(Grant(unit_id, path, role))
    recipients = []
    for pref in prefs:
        user = pref.user
        if user.is_superuser:
            scope = Scope(everything=True, user_id=user.pk)
        else:
            scope = Scope(grants=tuple(grants.get(user.pk, ())), user_id=user.pk)
        user._burden_scope = scope
        recipients.append((user, pref, scope))
    return recipients


def digest_sections(
    pref: NotificationPreference,
    *,
    today: datetime.date,
    now: datetime.datetime,
    limit: int = 20,
) -> Notifications:
    """One person's digest: the news about cases since the last digest (or a day), overdue cases,
    cases due in 7 and in 1 days, waivers expiring within 7 days; a fixed number of queries."""
    watch = Watch(user=pref.user, wanted=pref.wanted, last_seen_at=pref.last_digest_at)
    since = pref.last_digest_at or now - ONE_DAY
    reminders = Q(status=ReviewCase.Status.OPEN, deadline__in=[today + 7 * ONE_DAY, today + ONE_DAY])
    return notification_sections(
        watch, today=today, now=now, since=since, categories={DUE_SOON: reminders}, limit=limit
    )
