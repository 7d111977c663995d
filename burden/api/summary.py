"""The burden summary: hours a unit and its subtree bore, in all, by kind, month and source.

Two grouped queries per kind of record (by month, by source unit), so the cost does
not grow with the number of records beyond what the database does in one pass.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from burden.api import strict
from burden.records.registry import kinds


class SummaryQuerySerializer(strict.Serializer):
    unit = serializers.CharField(required=False, max_length=32)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so these two are added by name.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The end of the period is before its start.")]})
        return attrs


class MonthSerializer(strict.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    kind = serializers.CharField()
    hours = serializers.FloatField()
    count = serializers.IntegerField()


class SourceSerializer(strict.Serializer):
    source_unit = serializers.CharField(allow_null=True)
    hours = serializers.FloatField()


class SummarySerializer(strict.Serializer):
    unit = serializers.CharField(allow_null=True)
    total_hours = serializers.FloatField()
    by_kind = serializers.DictField(child=serializers.FloatField())
    by_month = MonthSerializer(many=True)
    by_source = SourceSerializer(many=True)


def burden_summary(*, user, unit=None, date_from: datetime.date | None, date_to: datetime.date | None) -> dict:
    """What ``unit``'s subtree (or everything ``user`` may see) bore between the two days, inclusive."""
    by_kind: dict[str, Decimal] = {}
    by_month = []
    by_source: dict[str | None, Decimal] = defaultdict(Decimal)
    for kind in kinds():
        model = kind.model
        date = model.date_field
        records = model.objects.for_user(user)
        if unit is not None:
            records = records.filter(unit__path__startswith=unit.path)
        if date_from:
            records = records.filter(**{f"{date}__gte": date_from})
        if date_to:
            records = records.filter(**{f"{date}__lte": date_to})
        kind_total = Decimal(0)
        # A kind that weighs its records (a document's matters) counts them so here too.
        weight = model.count_weight()
        counted = Sum(weight) if weight is not None else Count("pk")
        months = (
            records.annotate(month=TruncMonth(date))
            .values("month")
            .annotate(hours=Sum("burden_hours"), count=counted)
            .order_by("month")
        )
        for row in months:
            hours = row["hours"] or Decimal(0)
            kind_total += hours
            by_month.append(
                {
                    "month": row["month"].strftime("%Y-%m"),
                    "kind": model.record_kind,
                    "hours": hours,
                    "count": row["count"],
                }
            )
        by_kind[model.record_kind] = kind_total
        for row in records.values("source_unit__code").annotate(hours=Sum("burden_hours")).order_by():
            by_source[row["source_unit__code"]] += row["hours"] or Decimal(0)
    by_month.sort(key=lambda row: (row["month"], row["kind"]))
    sources = sorted(by_source.items(), key=lambda item: (-item[1], item[0] or ""))
    return {
        "unit": unit.code if unit else None,
        "total_hours": sum(by_kind.values(), Decimal(0)),
        "by_kind": by_kind,
        "by_month": by_month,
        "by_source": [{"source_unit": code, "hours": hours} for code, hours in sources],
    }
