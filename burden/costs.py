"""Burden hours, Standard-Cost-Model style: time x people x frequency, then x an hourly tariff.

One pure function per kind of record. The record models call them on every save and
store the result, so lists, sums and roll-ups read a column instead of recomputing.
The defaults they fall back on (minutes per kind of document, per data item, hours in
a working day) and the hourly tariffs per unit level live in ``CostParameters``,
which admins edit; see ``burden.models.CostParameters``.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

HOURS = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)


def _hours(value) -> Decimal:
    return Decimal(value).quantize(HOURS, rounding=ROUND_HALF_UP)


def burden_hours_for_meeting(*, duration_minutes: int, travel_minutes: int, attendees: int) -> Decimal:
    """(meeting length + travel) x the people the unit sent."""
    return _hours(Decimal((duration_minutes or 0) + (travel_minutes or 0)) * (attendees or 0) / MINUTES_PER_HOUR)


def burden_hours_for_document(*, handling_minutes: int | None, default_minutes: Decimal) -> Decimal:
    """The handling time logged, or the kind's default when none was logged."""
    minutes = default_minutes if handling_minutes is None else Decimal(handling_minutes)
    return _hours(minutes / MINUTES_PER_HOUR)


def burden_hours_for_inspection(*, preparation_hours, onsite_hours, staff_involved: int) -> Decimal:
    """Preparation (person-hours, as logged) + time on site x the staff who had to be there."""
    return _hours(Decimal(preparation_hours or 0) + Decimal(onsite_hours or 0) * (staff_involved or 0))


def burden_hours_for_data_request(*, filling_hours, item_count: int, minutes_per_item: Decimal) -> Decimal:
    """The filling time logged, or the number of items x the minutes one item takes."""
    if filling_hours is not None:
        return _hours(filling_hours)
    return _hours(Decimal(item_count) * minutes_per_item / MINUTES_PER_HOUR)


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday days from ``start`` to ``end``, both included (0 if end < start).

    Counted by arithmetic, not by walking the days, so a long secondment costs nothing.
    Public holidays are not subtracted: the calendar differs by year and region, and
    the error is small against a term of months.
    """
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(rest):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


def burden_hours_for_secondment(*, start: datetime.date, end: datetime.date, hours_per_day: Decimal) -> Decimal:
    """Working days the person is away x the hours of a working day."""
    return _hours(working_days(start, end) * Decimal(hours_per_day))


def secondment_hours_by_month(
    *, start: datetime.date, end: datetime.date, hours_per_day: Decimal
) -> OrderedDict[datetime.date, Decimal]:
    """The same hours split into the calendar months they fall in (keyed by the 1st)."""
    months: OrderedDict[datetime.date, Decimal] = OrderedDict()
    month = start.replace(day=1)
    while month <= end:
        next_month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        first = max(start, month)
        last = min(end, next_month - datetime.timedelta(days=1))
        months[month] = burden_hours_for_secondment(start=first, end=last, hours_per_day=hours_per_day)
        month = next_month
    return months


def cost(hours: Decimal, tariff: Decimal) -> Decimal:
    """Money: hours x the hourly tariff of the unit that bore them."""
    return (Decimal(hours) * Decimal(tariff)).quantize(HOURS, rounding=ROUND_HALF_UP)
