"""Reads of the review: deadlines and overdue flags in SQL, the queue, the bell, notifications, digests.

Deadlines are days (per severity) after the local day a flag was first seen; a flag is
overdue from the day after its due day while it is still open or acknowledged. Every
date condition here becomes a range on ``first_seen`` (one per severity), so the
database answers it with plain comparisons, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Membership, Violation
from ..records.registry import kinds
from ..scoping import Grant, Scope, scope_for
from .models import NotificationPreference, ReviewDeadlines

ACTIVE = Q(status__in=Violation.OPEN_STATUSES)
NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)  # a condition that holds for every row (When() refuses an empty Q)
ONE_DAY = datetime.timedelta(days=1)
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}

# Notification categories, most pressing first.
OVERDUE, DUE_SOON, EXPIRING, NEW = "overdue", "due_soon", "expiring", "new"
CATEGORIES = (OVERDUE, DUE_SOON, EXPIRING, NEW)
CATEGORY_LABELS = {
    OVERDUE: _("Overdue"),
    DUE_SOON: _("Due within 7 days"),
    EXPIRING: _("Waivers expiring within 7 days"),
    NEW: _("New flags on your units"),
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
        severity_rank=Case(
            *(When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_RANK.items()),
            default=Value(0),
            output_field=IntegerField(),
        ),
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


# --- Notifications ----------------------------------------------------------------------


@dataclass
class Watch:
    """What notifications need to know about one person."""

    wanted: set[str]
    last_seen_at: datetime.datetime | None
    deadlines: ReviewDeadlines
    scope: Scope = field(default_factory=Scope)


def watch_for(user) -> Watch:
    """The person's preferences and the deadlines, read together in one query.

    The bell runs on every page, so it reads the preference row (which may not exist)
    and the one deadline row through the user's own row instead of two queries.
    """
    pref_fields = ["notify_new_flags", "notify_expiring_waivers", "notify_overdue", "notify_deadlines", "last_seen_at"]
    deadline_row = ReviewDeadlines.objects.filter(pk=1)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(*(f"review_preferences__{name}" for name in pref_fields))
        .annotate(**{name: Subquery(deadline_row.values(name)) for name in ("days_low", "days_medium", "days_high")})
        .first()
    ) or {}
    # Without a preference row the joined columns are NULL: the model's defaults apply.
    values = {name: row.get(f"review_preferences__{name}") for name in pref_fields}
    prefs = NotificationPreference(**{name: value for name, value in values.items() if value is not None})
    defaults = ReviewDeadlines()
    deadlines = ReviewDeadlines(
        **{name: row.get(name) or getattr(defaults, name) for name in ("days_low", "days_medium", "days_high")}
    )
    return Watch(wanted=prefs.wanted, last_seen_at=prefs.last_seen_at, deadlines=deadlines, scope=scope_for(user))


def category_q(category: str, deadlines: ReviewDeadlines, today: datetime.date, since: datetime.datetime) -> Q:
    """The flags a category lists today; ``since`` is where "new" starts."""
    if category == OVERDUE:
        return overdue_q(deadlines, today)
    if category == DUE_SOON:
        return ACTIVE & due_between(deadlines, today, today + 7 * ONE_DAY)
    if category == EXPIRING:
        return Q(
            status=Violation.Status.WAIVED,
            waiver_expires_on__gt=today,
            waiver_expires_on__lte=today + 7 * ONE_DAY,
        )
    return ACTIVE & Q(first_seen__gt=since)


def unseen_q(category: str, deadlines: ReviewDeadlines, today: datetime.date, seen_at: datetime.datetime | None) -> Q:
    """Within a category, the flags that became news after the person last looked.

    A flag becomes news when it appears (new), on the day after its due day (overdue),
    7 days and 1 day before its due day (due soon), and 7 days before its waiver
    expires (expiring).
    """
    if seen_at is None:
        return EVERYTHING
    if category == NEW:
        return Q(first_seen__gt=seen_at)
    seen_day = timezone.localdate(seen_at)
    if category == OVERDUE:
        return due_between(deadlines, first=seen_day)
    if category == DUE_SOON:
        return due_between(deadlines, first=seen_day + 8 * ONE_DAY) | due_between(
            deadlines, first=seen_day + 2 * ONE_DAY, last=today + ONE_DAY
        )
    return Q(waiver_expires_on__gt=seen_day + 7 * ONE_DAY)


def _scoped(scope: Scope) -> QuerySet:
    """The violations a scope reaches: the gate's own filter, for a scope read in bulk."""
    if scope.is_empty:
        return Violation.objects.none()
    return Violation.objects.filter(scope.q("unit"))


def _since(watch: Watch, now: datetime.datetime) -> datetime.datetime:
    return watch.last_seen_at or now - NEW_WINDOW


#: The bell counts up to this many and then shows "99+": the count runs on every page, and
#: stopping at a hundred matches keeps it cheap however many flags a city holds.
BELL_CAP = 100


def bell_count(watch: Watch, *, today: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """How many flags are news to the person, up to ``BELL_CAP``; none when they reach no unit.

    One COUNT over a LIMIT.
    """
    if watch.scope.is_empty or not watch.wanted:
        return 0
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    since = _since(watch, now)
    condition = reduce(
        or_,
        (
            category_q(c, watch.deadlines, today, since) & unseen_q(c, watch.deadlines, today, watch.last_seen_at)
            for c in CATEGORIES
            if c in watch.wanted
        ),
    )
    # No ORDER BY: the LIMIT then stops the scan at the hundredth match.
    return _scoped(watch.scope).filter(condition).order_by().values("pk")[:BELL_CAP].count()


@dataclass
class Section:
    """One category of notifications: its flags (the first ``limit``), how many, how many unseen."""

    category: str
    label: str
    items: list
    total: int
    unseen: int


def notification_sections(
    watch: Watch,
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    since: datetime.datetime | None = None,
    categories: dict[str, Q] | None = None,
    limit: int = 50,
) -> list[Section]:
    """The person's notifications by category: one COUNT query plus one query per wanted category.

    ``categories`` replaces the default conditions (the digest narrows "due soon" to
    the 7- and 1-day marks); ``since`` replaces where "new" starts.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    since = since or _since(watch, now)
    wanted = [c for c in CATEGORIES if c in watch.wanted]
    if watch.scope.is_empty or not wanted:
        return []
    conditions = {c: category_q(c, watch.deadlines, today, since) for c in wanted}
    conditions.update({c: q for c, q in (categories or {}).items() if c in conditions})
    unseen = {c: unseen_q(c, watch.deadlines, today, watch.last_seen_at) for c in wanted}
    scoped = _scoped(watch.scope)
    counts = scoped.aggregate(
        **{f"{c}_total": Count("pk", filter=conditions[c]) for c in wanted},
        **{f"{c}_unseen": Count("pk", filter=conditions[c] & unseen[c]) for c in wanted},
    )
    sections = []
    for category in wanted:
        if not counts[f"{category}_total"]:
            continue
        order = ["waiver_expires_on", "pk"] if category == EXPIRING else ["first_seen", "pk"]
        items = list(
            scoped.filter(conditions[category])
            .annotate(is_new=Case(When(unseen[category], then=Value(True)), default=Value(False)))
            .select_related("unit", "source_unit")
            .order_by(*order)[:limit]
        )
        decorate(items, watch.deadlines, with_records=False)
        sections.append(
            Section(
                category=category,
                label=CATEGORY_LABELS[category],
                items=items,
                total=counts[f"{category}_total"],
                unseen=counts[f"{category}_unseen"],
            )
        )
    return sections


# --- The daily digest -----------------------------------------------------------------


def digest_recipients() -> list[tuple[object, NotificationPreference, Scope]]:
    """Everyone who wants the digest, with their preferences and scope: two queries in all."""
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
    return [
        (
            pref.user,
            pref,
            Scope(everything=True) if pref.user.is_superuser else Scope(grants=tuple(grants.get(pref.user_id, ()))),
        )
        for pref in prefs
    ]


def digest_sections(
    pref: NotificationPreference,
    scope: Scope,
    deadlines: ReviewDeadlines,
    *,
    today: datetime.date,
    now: datetime.datetime,
    limit: int = 20,
) -> list[Section]:
    """One person's digest: new flags since the last digest, overdue flags, deadlines in 7 and
    1 days, waivers expiring within 7 days; a fixed number of queries whatever it holds."""
    watch = Watch(wanted=pref.wanted, last_seen_at=pref.last_digest_at, deadlines=deadlines, scope=scope)
    since = pref.last_digest_at or now - ONE_DAY
    reminders = ACTIVE & (
        due_between(deadlines, today + 7 * ONE_DAY, today + 7 * ONE_DAY)
        | due_between(deadlines, today + ONE_DAY, today + ONE_DAY)
    )
    return notification_sections(
        watch, today=today, now=now, since=since, categories={DUE_SOON: reminders}, limit=limit
    )
