"""A period of whole months, as every insights page, report and target reads it.

Kept apart from the forms that parse it, so the models (``ReportJob.period``) can build
one without importing the forms.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """Whole months from ``start`` to ``end`` (both the first of their month, both included)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def this_year(cls, today: datetime.date | None = None) -> Period:
        """January to the current month: the same months of last year are then a fair comparison."""
        today = today or timezone.localdate()
        return cls(today.replace(month=1, day=1), today.replace(day=1))

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month += relativedelta(months=1)
        return months

    @property
    def previous(self) -> Period:
        """The same months a year earlier."""
        return Period(self.start - relativedelta(years=1), self.end - relativedelta(years=1))

    @property
    def preceding(self) -> Period:
        """The period of the same length just before this one: the month or the quarter before."""
        length = len(self.months)
        return Period(self.start - relativedelta(months=length), self.start - relativedelta(months=1))

    @property
    def following(self) -> Period:
        """The period of the same length just after this one."""
        length = len(self.months)
        return Period(self.end + relativedelta(months=1), self.end + relativedelta(months=length))

    @property
    def last_day(self) -> datetime.date:
        return self.end + relativedelta(months=1) - datetime.timedelta(days=1)

    @property
    def year(self) -> int:
        """The year targets and explanations are read for: the year the period ends in."""
        return self.end.year

    def __contains__(self, month: datetime.date) -> bool:
        return self.start <= month <= self.end
