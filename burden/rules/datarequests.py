"""Data and report request rules (paper 4.2.2: a data list, no repeated collection, time to answer;
4.3.3: routine reports monthly at most, and mostly core content).

Each rule reads its candidates in one SQL query, whatever the number of requests;
DR-DUPLICATE then compares the fetched items per unit and item in Python.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict

from django.db.models import DurationField, ExpressionWrapper, F
from django.utils.translation import gettext_lazy as _

from burden.costs import working_days
from datarequests.models import DataRequest, DataRequestItem

from .base import Param, Rule, register

KEY_LENGTH = 64  # Violation.key


def item_label(row: dict, prefix: str = "") -> str:
    """An item as people read it: the catalogue code and name, or the free text typed."""
    code = row.get(f"{prefix}catalogue_item__code")
    if code:
        return f"{code} {row[f'{prefix}catalogue_item__name']}"
    return row[f"{prefix}name"]


def item_key(row: dict) -> str:
    """What makes two items the same item: the catalogue item, or else the same free-text name."""
    if row["catalogue_item_id"]:
        return f"catalogue:{row['catalogue_item_id']}"
    name = row["name"].strip()
    key = f"name:{name}"
    if len(key) > KEY_LENGTH:
        key = "name#" + hashlib.sha256(name.encode()).hexdigest()[: KEY_LENGTH - 5]
    return key


@register
class DataRequestUnlisted(Rule):
    """Paper 4.2.2: "清单外数据未经审批不得要求基层提供" — data off the list needs approval.

    Flags a request that asks at least one item outside the data catalogue (an item
    with no catalogue item) and has no approval date.
    """

    code = "DR-UNLISTED"
    title = _("Data outside the catalogue asked without approval")
    description = _(
        "A data request that asks for items that are not on the approved data catalogue, without an approval."
    )
    message = _("%(count)s items outside the data catalogue asked without approval: %(items)s")
    clause = "4.2.2"
    quote = _("Data that is not on the data list is not asked of the grassroots without an approval.")
    record_kind = "data_request"
    severity = "medium"

    def find(self, records, params, today):
        rows = (
            DataRequestItem.objects.filter(
                request__in=records.filter(approved_on__isnull=True).values("pk"), catalogue_item__isnull=True
            )
            .order_by("request_id", "position", "pk")
            .values("request_id", "request__unit_id", "request__source_unit_id", "name")
        )
        by_request: dict[int, dict] = {}
        for row in rows:
            request = by_request.setdefault(
                row["request_id"],
                {
                    "pk": row["request_id"],
                    "unit_id": row["request__unit_id"],
                    "source_unit_id": row["request__source_unit_id"],
                    "items": [],
                },
            )
            request["items"].append(row["name"])
        for request in by_request.values():
            yield self.finding(request, count=len(request["items"]), items="、".join(request["items"]))


@register
class DataRequestDuplicate(Rule):
    """Paper 4.2.2: "一次性录入、多部门共享" — an item collected from a unit once, not again.

    An item is the same item when it names the same catalogue item or, off the
    catalogue, the same free text. A request repeats an item when the same unit was
    asked that item by any requester in an earlier request dated at most ``days`` days
    before it (same day included; on the same day the request entered later is the
    repeat). Exactly ``days`` days before repeats; one day more does not. A run of
    requests asking the item, each repeating the one before, is one finding keyed by
    the item, anchored on the run's first request and listing them all; it goes to the
    requester of most of the repeats (the first request was not one).
    """

    code = "DR-DUPLICATE"
    title = _("Data already collected from the unit")
    description = _(
        "A data request asks a unit for an item that the unit already gave, to anyone, within the number of days set."
    )
    message = _(
        "%(item)s was asked of this unit %(count)s times from %(first_date)s to %(last_date)s, each time within "
        "%(days)s days of the time before"
    )
    clause = "4.2.2"
    quote = _("Data is entered once at the grassroots and shared by every department.")
    record_kind = "data_request"
    severity = "medium"
    aggregate = True
    params = (Param("days", _("Days within which an item is not asked again"), default=90, minimum=0, maximum=3650),)

    def find(self, records, params, today):
        window = params["days"]
        # Every item asked of the units concerned: one query.
        rows = (
            DataRequestItem.objects.filter(request__unit_id__in=records.values("unit_id"))
            .order_by()
            .values(
                "request_id",
                "request__date",
                "request__unit_id",
                "request__source_unit_id",
                "catalogue_item_id",
                "catalogue_item__code",
                "catalogue_item__name",
                "name",
            )
        )
        groups: dict[tuple[int, str], dict[int, dict]] = defaultdict(dict)
        for row in rows:
            # One entry per request and item, however often the request lists it.
            groups[(row["request__unit_id"], item_key(row))].setdefault(row["request_id"], row)
        for (_unit, key), by_request in groups.items():
            asked = sorted(by_request.values(), key=lambda r: (r["request__date"], r["request_id"]))
            run: list[dict] = []
            for earlier, later in zip(asked, asked[1:], strict=False):
                if (later["request__date"] - earlier["request__date"]).days > window:
                    if run:
                        yield self._run(run, key)
                    run = []
                    continue
                if not run:
                    run = [_asked(earlier, repeat=0)]
                run.append(_asked(later, repeat=1))
            if run:
                yield self._run(run, key)

    def _run(self, run: list[dict], key: str):
        first, last = run[0], run[-1]
        return self.group(
            run,
            key,
            weight="repeat",
            item=first["item"],
            count=len(run),
            first_date=first["date"].isoformat(),
            last_date=last["date"].isoformat(),
        )

    def related(self, record):
        return DataRequest.objects.filter(unit_id=record.unit_id)


def _asked(row: dict, *, repeat: int) -> dict:
    """A request of a run, as a group's finding reads it; ``repeat`` 1 when it asked again."""
    return {
        "pk": row["request_id"],
        "unit_id": row["request__unit_id"],
        "source_unit_id": row["request__source_unit_id"],
        "date": row["request__date"],
        "item": item_label(row),
        "repeat": repeat,
    }


def answer_days(date: datetime.date, deadline: datetime.date) -> int:
    """Working days (Monday to Friday) after the day the request arrived, up to and including the deadline."""
    return working_days(date + datetime.timedelta(days=1), deadline)


@register
class DataRequestDeadline(Rule):
    """Paper 4.2.2 (reasonable data demands): time to answer.

    The time to answer is ``answer_days``: the working days (Monday to Friday, as
    ``burden.costs.working_days`` counts them; public holidays not subtracted) after
    the day the request arrived, up to and including the deadline. A request that
    arrives on Monday with a deadline on Thursday has 3 (Tuesday, Wednesday,
    Thursday). Fewer than ``min_working_days`` flags; a request without a deadline
    passes.
    """

    code = "DR-DEADLINE"
    title = _("Too little time to answer a data request")
    description = _(
        "A data request whose deadline leaves fewer working days than the minimum, counted from the day after "
        "it arrived up to and including the deadline."
    )
    message = _("%(working_days)s working days to answer, fewer than the minimum of %(min_working_days)s")
    clause = "4.2.2"
    quote = _("Higher departments ask only for the data they need, and no more than the grassroots can give.")
    record_kind = "data_request"
    severity = "medium"
    params = (Param("min_working_days", _("Fewest working days to answer"), default=3, minimum=0, maximum=60),)

    def find(self, records, params, today):
        minimum = params["min_working_days"]
        if minimum <= 0:
            return
        # D calendar days hold at least 5 x (D // 7) working days, so only spans under 7 x ceil(N / 5) can flag.
        bound = datetime.timedelta(days=7 * -(-minimum // 5))
        rows = (
            records.filter(deadline__isnull=False)
            .annotate(span=ExpressionWrapper(F("deadline") - F("date"), output_field=DurationField()))
            .filter(span__lt=bound)
            .values("pk", "unit_id", "source_unit_id", "date", "deadline")
        )
        for row in rows:
            days = answer_days(row["date"], row["deadline"])
            if days < minimum:
                yield self.finding(row, working_days=days, deadline=row["deadline"].isoformat())


@register
class ReportFrequency(Rule):
    """Paper 4.3.3: "对常规工作实行月汇总、季通报" — routine reports monthly or less often.

    A report (kind "report") whose frequency is not among ``allowed_frequencies``
    (by default once, monthly, quarterly and yearly: everything but weekly). Data
    requests of kind "data" are not reports and are not read.
    """

    code = "RPT-FREQUENCY"
    title = _("Routine report asked too often")
    description = _("A routine report asked more often than the allowed frequencies (monthly or less often).")
    message = _("A report asked %(frequency)s; allowed: %(allowed_frequencies)s")
    clause = "4.3.3"
    quote = _("Routine work is summed up monthly and reported quarterly; urgent tasks are reported one by one.")
    record_kind = "data_request"
    severity = "medium"
    params = (
        Param(
            "allowed_frequencies",
            _("Allowed frequencies of a report"),
            default=("monthly", "once", "quarterly", "yearly"),
            kind="choices",
            choices=tuple(DataRequest.Frequency.choices),
        ),
    )

    def find(self, records, params, today):
        rows = (
            records.filter(kind=DataRequest.Kind.REPORT)
            .exclude(frequency__in=list(params["allowed_frequencies"]))
            .values("pk", "unit_id", "source_unit_id", "frequency")
        )
        for row in rows:
            yield self.finding(row, frequency=row["frequency"])

    def render(self, values, params):
        # Stored as codes, so the message reads right in whichever language it is shown.
        merged = {**params, **values}
        labels = dict(DataRequest.Frequency.choices)
        allowed = merged.get("allowed_frequencies", [])
        return str(self.message) % {
            **merged,
            "frequency": str(labels.get(merged.get("frequency"), merged.get("frequency"))).lower(),
            "allowed_frequencies": "、".join(str(labels.get(code, code)).lower() for code in allowed),
        }


@register
class ReportCoreShare(Rule):
    """Paper 4.3.3: "限定核心内容占比不低于80%" — a report is mostly its core content.

    A report (kind "report") whose ``core_share_percent`` — the share of it taken by
    the situation, the problems and the measures — is below ``min_core_percent``.
    Exactly the minimum passes; a report whose share is not given passes.
    """

    code = "RPT-CORE-SHARE"
    title = _("Report with too little core content")
    description = _(
        "A report whose core content (the situation, the problems, the measures) is less than the minimum share of it."
    )
    message = _("Core content is %(core_share)s%% of the report, under the minimum of %(min_core_percent)s%%")
    clause = "4.3.3"
    quote = _(
        "Reports go straight to the situation, the problems and the measures: core content is no less than "
        "four fifths of a report."
    )
    record_kind = "data_request"
    severity = "low"
    params = (Param("min_core_percent", _("Least core content of a report (%)"), default=80, minimum=0, maximum=100),)

    def find(self, records, params, today):
        rows = records.filter(kind=DataRequest.Kind.REPORT, core_share_percent__lt=params["min_core_percent"]).values(
            "pk", "unit_id", "source_unit_id", "core_share_percent"
        )
        for row in rows:
            yield self.finding(row, core_share=row["core_share_percent"])
