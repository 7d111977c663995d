from decimal import Decimal

from django.db import models

from burden import costs
from burden.records import BaseRecord


class Lunch(BaseRecord):
    """A lunch a unit had to host for visitors; burden hours: minutes x the people it took."""

    record_kind = "lunch"

    title = models.CharField("title", max_length=200)
    date = models.DateField("date")
    minutes = models.PositiveIntegerField("minutes", default=60)
    people = models.PositiveIntegerField("people", default=1)

    class Meta(BaseRecord.Meta):
        ordering = ["-date", "-pk"]
        verbose_name = "lunch"
        verbose_name_plural = "lunches"

    def __str__(self) -> str:
        return self.title

    def compute_burden_hours(self, params):
        return costs.hours(Decimal(self.minutes * self.people) / costs.MINUTES_PER_HOUR)
