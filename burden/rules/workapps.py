"""Work app and work group rules: the burden that lives in phones.

From 《政务移动互联网应用程序规范化管理办法》 (国办函〔2026〕12号), 《关于防治"指尖上的
形式主义"的若干意见》 (2024) and part 五 of 《整治形式主义为基层减负若干规定》 (2024):

- ``APP-BANNED-FUNCTION`` (a record rule): check-ins, rankings, online time outside
  security and emergencies, forced installs, needless photo, video or location uploads;
- ``APP-ZOMBIE`` (a clock rule): a group still required long after its matter ended;
- ``APP-DUPLICATE`` and ``APP-COUNT`` (aggregate rules): apps or groups of one source
  crowding one unit — for one matter (多头填报), or in all.

An app is *in force* from its start to its end, or for good while it has no end. The
aggregate rules count, for each app, the apps of its group in force on the day it
started — the most that were ever in force at once is reached on some app's first
day — with one correlated subquery, in SQL; only the groups found are read further.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from workapps.models import Demand, WorkApp

from .base import Param, Part, Rule, Source, register

ROW = ("pk", "unit_id", "source_unit_id")
KEY_LENGTH = 64  # Violation.key
#: Demands the Measures allow where security or emergency response needs them.
EXEMPTIBLE = (
    Demand.CHECKIN.value,
    Demand.RANKING.value,
    Demand.ONLINE_TIME.value,
    Demand.PHOTO_UPLOAD.value,
    Demand.LOCATION_UPLOAD.value,
)


def _demand_labels(codes) -> str:
    labels = dict(Demand.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


def _tokens(value) -> list[str]:
    if isinstance(value, str):
        return [token for token in value.split(",") if token]
    return list(value or [])


@register
class AppBannedFunction(Rule):
    """The Measures' negative list: no forced check-in, ranking or online time outside security
    and emergencies, no forced install or registration, no needless photo, video or location uploads.

    ``banned``: the demands flagged; ``exempt``: those of them allowed when the app or
    group serves security or emergency response (``security_or_emergency``). A forced
    install is never exempt by default. The demands found are kept as ``demanded``.
    """

    code = "APP-BANNED-FUNCTION"
    title = _("Banned function demanded by a work app")
    description = _(
        "A work app or group demands check-ins, rankings or online time outside security and emergency uses, "
        "forces its installation or registration, or demands photo, video or location uploads without need."
    )
    message = _("Demands %(demanded)s, which the rules on government apps forbid")
    source = Source.APP_MEASURES_2026
    # The article's number could not be confirmed: the passage is cited by its name.
    clause = _("the list of prohibitions")
    clause_is_passage = True
    quote = _(
        "Except in special scenarios such as security and emergencies, no compulsory functions such as check-in, "
        "points ranking or online-time statistics; no forced download or install rates; no forced uploads of "
        "work photos, videos and tracks where not necessary."
    )
    record_kind = "work_app"
    severity = "high"
    params = (
        Param(
            "banned",
            _("Banned demands"),
            default=(*EXEMPTIBLE, Demand.FORCED_INSTALL.value),
            kind="choices",
            choices=tuple(Demand.choices),
        ),
        Param(
            "exempt",
            _("Allowed for security or emergency uses"),
            default=EXEMPTIBLE,
            kind="choices",
            choices=tuple(Demand.choices),
        ),
    )

    def _banned_for(self, params, security: bool) -> list[str]:
        exempt = set(params["exempt"]) if security else set()
        return [demand for demand in params["banned"] if demand not in exempt]

    def find(self, records, params, today):
        query = Q()
        for security in (False, True):
            for demand in self._banned_for(params, security):
                query |= Q(security_or_emergency=security, demands__contains=demand)
        if not query:
            return
        for row in records.filter(query).values(*ROW, "demands", "security_or_emergency"):
            banned = self._banned_for(params, row["security_or_emergency"])
            demanded = [demand for demand in _tokens(row["demands"]) if demand in banned]
            if demanded:
                yield self.finding(row, demanded=demanded)

    def render(self, values, params):
        # Stored as codes, so the message reads right in whichever language it is shown.
        return str(self.message) % {"demanded": _demand_labels(values.get("demanded", []))}


@register
class AppZombie(Rule):
    """The Fingertip Opinions (part 三): a group set up for a task is dissolved once the task is done.

    Judged on ``today``: the last day the app is required so far is its end, if it has
    ended by ``today``, else ``today``. It flags when that day is more than ``days``
    days after ``matter_ended_on``: exactly ``days`` days after passes, one more flags.
    Dated by the first day past the limit.
    """

    code = "APP-ZOMBIE"
    title = _("Work group kept after its matter ended")
    description = _("A work app or group still required more than the days allowed after the matter it serves ended.")
    message = _(
        "Still required %(days_after)s days after its matter ended on %(ended)s, over the limit of %(days)s days"
    )
    source = Source.FINGERTIP_2024
    clause = Part("III")
    quote = _("Work groups set up for a task are dissolved in time once the task is completed.")
    record_kind = "work_app"
    severity = "medium"
    params = (Param("days", _("Days a group may outlive its matter"), default=30, minimum=0, maximum=3650),)

    def find(self, records, params, today):
        limit = datetime.timedelta(days=params["days"])
        rows = (
            records.filter(matter_ended_on__isnull=False, matter_ended_on__lt=today - limit)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=F("matter_ended_on") + limit))
            .values(*ROW, "matter_ended_on", "end_date")
        )
        for row in rows:
            ended = row["matter_ended_on"]
            last = row["end_date"] if row["end_date"] is not None and row["end_date"] <= today else today
            if last > ended + limit:
                yield self.finding(
                    row,
                    occurred_on=ended + limit + datetime.timedelta(days=1),
                    days_after=(last - ended).days,
                    ended=ended.isoformat(),
                )


def _matter_key(matter: str) -> str:
    """The violation's key for a matter: the matter itself, or a digest of it when too long."""
    if len(matter) <= KEY_LENGTH:
        return matter
    return "matter#" + hashlib.sha256(matter.encode()).hexdigest()[: KEY_LENGTH - 7]


def _in_force_at_start(partition: tuple[str, ...]):
    """How many apps of the same ``partition`` were in force on the day an app started (itself included)."""
    others = (
        WorkApp.objects.filter(**{name: OuterRef(name) for name in partition})
        .filter(start_date__lte=OuterRef("start_date"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")))
        .order_by()
        .values(partition[0])
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(others)


def _crowded(records, partition: tuple[str, ...], limit: int, where: Q | None = None):
    """The groups of ``partition`` with more than ``limit`` apps in force at once, each with its apps.

    Yields (the apps of the group in force on a day over the limit, the most in force
    at once, the first such day). Two queries, whatever the number of apps.
    """
    widened = WorkApp.objects.filter(where or Q(), source_unit__isnull=False)
    if records.query.has_filters():
        for name in partition:
            widened = widened.filter(**{f"{name}__in": records.values(name)})
    crowded_days = (
        widened.annotate(in_force=_in_force_at_start(partition))
        .filter(in_force__gt=limit)
        .order_by()
        .values(*partition, "start_date", "in_force")
    )
    days = defaultdict(dict)  # group -> {day: apps in force}
    for row in crowded_days:
        days[tuple(row[name] for name in partition)][row["start_date"]] = row["in_force"]
    if not days:
        return
    members = (
        widened.filter(unit_id__in={key[partition.index("unit_id")] for key in days})
        .order_by("start_date", "pk")
        .values(*ROW, *[name for name in partition if name not in ROW], "start_date", "end_date")
    )
    found = defaultdict(list)
    for row in members:
        key = tuple(row[name] for name in partition)
        if key in days and any(
            row["start_date"] <= day and (row["end_date"] is None or row["end_date"] >= day) for day in days[key]
        ):
            found[key].append(row)
    for key, rows in found.items():
        yield key, rows, max(days[key].values()), min(days[key])


@register
class AppDuplicate(Rule):
    """The Fingertip Opinions (part 三, 防止多头填报): one matter, one channel.

    More than ``max_per_matter`` apps or groups of the same source unit, for the same
    matter, in force at once for the same unit. One finding for each (unit, source,
    matter), listing the apps in force on a day over the limit, anchored on the first.
    """

    code = "APP-DUPLICATE"
    title = _("Several apps or groups for one matter")
    description = _(
        "A source unit makes a unit use several apps or groups at once for the same matter, so that the same "
        "work is reported through several channels."
    )
    message = _(
        "%(count)s apps or groups of the same source for %(matter)s at once, over the limit of %(max_per_matter)s"
    )
    source = Source.FINGERTIP_2024
    clause = Part("III")
    quote = _("Prevent reporting the same matter through several channels.")
    record_kind = "work_app"
    severity = "medium"
    aggregate = True
    params = (Param("max_per_matter", _("Apps or groups allowed for one matter"), default=1, minimum=1),)

    PARTITION = ("unit_id", "source_unit_id", "matter")

    def find(self, records, params, today):
        crowded = _crowded(records, self.PARTITION, params["max_per_matter"], where=~Q(matter=""))
        for (_unit, _source, matter), rows, most, first_day in crowded:
            yield self.group(rows, _matter_key(matter), occurred_on=first_day, count=most, matter=matter)

    def related(self, record):
        return WorkApp.objects.filter(
            Q(pk=record.pk) | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id, matter=record.matter)
        )


@register
class AppCount(Rule):
    """The 2024 regulation (part 五): apps reaching the grassroots are cleared, cut down and merged.

    More than ``max_apps`` apps or groups of the same source unit in force at once for
    the same unit. One finding for each (unit, source), listing the apps in force on a
    day over the limit, anchored on the first.
    """

    code = "APP-COUNT"
    title = _("Too many apps or groups from one source")
    description = _("A source unit makes a unit use more apps or groups at once than the limit.")
    message = _("%(count)s apps or groups of the same source at once, over the limit of %(max_apps)s")
    source = Source.REGULATION_2024
    clause = Part("V")
    quote = _(
        "Standardise the management of government mobile apps: those reaching the grassroots are cleared up, "
        "cut down and merged."
    )
    record_kind = "work_app"
    severity = "medium"
    aggregate = True
    params = (Param("max_apps", _("Apps or groups allowed at once"), default=3, minimum=1),)

    PARTITION = ("unit_id", "source_unit_id")

    def find(self, records, params, today):
        for _key, rows, most, first_day in _crowded(records, self.PARTITION, params["max_apps"]):
            yield self.group(rows, occurred_on=first_day, count=most)

    def related(self, record):
        return WorkApp.objects.filter(Q(pk=record.pk) | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id))
