"""Charts as data: one object feeds both the ECharts drawing (as JSON) and the table beside it.

A chart has categories (months, rules, departments) and series (kinds of record, a
year earlier); each value may link down to the records behind it. The template
``insights/_chart.html`` renders the table from the same object it passes to
``static/js/insight-charts.js`` with ``json_script``, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format

from ..records.registry import kinds


@dataclass
class Series:
    key: str
    name: str
    values: list = field(default_factory=list)
    links: list = field(default_factory=list)
    #: Drawn as a line over the bars (a year earlier), not stacked with them.
    line: bool = False


@dataclass
class Chart:
    """``kind``: "stacked" (bars on top of each other), "bars" (side by side) or "horizontal"."""

    key: str
    title: str
    categories: list[tuple[str, str]]  # (key, label)
    series: list[Series]
    kind: str = "stacked"
    value_label: str = ""
    #: How the table shows a value: "hours", "money" or "count".
    number: str = "hours"

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "valueLabel": str(self.value_label),
            "categories": [str(label) for _key, label in self.categories],
            "series": [
                {
                    "name": str(series.name),
                    "line": series.line,
                    "values": [_number(value) for value in series.values],
                    "links": series.links,
                }
                for series in self.series
            ],
        }

    @property
    def rows(self) -> list[dict]:
        """The table: one row per category, a cell per series (value and link)."""
        return [
            {
                "key": key,
                "label": label,
                "cells": [
                    {
                        "series": series.key,
                        "value": series.values[index],
                        "link": series.links[index] if series.links else None,
                    }
                    for series in self.series
                ],
            }
            for index, (key, label) in enumerate(self.categories)
        ]

    @property
    def is_empty(self) -> bool:
        return not any(value for series in self.series for value in series.values)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def record_list_link(kind_urls: dict, kind: str, **filters) -> str | None:
    """The record list of ``kind`` filtered as given (unit code, dates, source unit code, flagged)."""
    url = kind_urls.get(kind)
    if url is None:
        return None
    query = {name: value for name, value in filters.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def record_list_urls() -> dict[str, str]:
    return {kind.code: reverse(kind.url_name("list")) for kind in kinds() if kind.pages}


# --- the charts of the pages ---------------------------------------------------------------


def burden_chart(key, title, summary, measure: str, *, links, value_label, number="hours", previous_name=""):
    """Kinds stacked by month (``measure``: "hours" or "cost"), with the same months a year earlier as a line."""
    months = summary.period.months
    series = []
    for kind, label in summary.kinds:
        values = [getattr(summary.months[kind][month], measure) for month in months]
        series.append(Series(kind, label, values, [links(kind, month) for month in months]))
    previous = [getattr(summary.month_total(month, previous=True), measure) for month in months]
    series.append(Series("previous", previous_name, previous, [None] * len(months), line=True))
    categories = [(month.strftime("%Y-%m"), month_label(month)) for month in months]
    return Chart(key, title, categories, series, value_label=value_label, number=number)
