"""Burden hours, Standard-Cost-Model style: time x people x frequency, then x an hourly tariff.

What every kind's formula shares: the rounding of hours, working days, and money. The
formula of each kind is a pure function of its app (``burden_hours_for_meeting`` in
``meetings.models``...), which its model's ``compute_burden_hours`` calls on every save;
the result is stored, so lists, sums and roll-ups read a column instead of recomputing.
The defaults they fall back on (minutes per kind of document, per data item, hours in
a working day) and the hourly tariffs per unit level live in ``CostParameters``,
which admins edit; see ``burden.models.CostParameters``.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

HOURS = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)


def hours(value) -> Decimal:
    """Hours as they are stored: to the hundredth, half up."""
    return Decimal(value).quantize(HOURS, rounding=ROUND_HALF_UP)


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


def cost(hours: Decimal, tariff: Decimal) -> Decimal:
    """Money: hours x the hourly tariff of the unit that bore them."""
    return (Decimal(hours) * Decimal(tariff)).quantize(HOURS, rounding=ROUND_HALF_UP)
