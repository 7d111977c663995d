"""Rules that apply to every kind of record."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from burden.records import TraceRequirement

from .base import Param, Rule, Source, register


@register
class TraceBanned(Rule):
    """Paper 4.1.3: stop demanding "trace keeping" — photos, check-ins, written material as proof."""

    code = "TRACE-BANNED"
    title = _("Trace keeping demanded")
    description = _(
        "The record demands photos, check-ins or written material as proof of the work, which the "
        "countermeasures against formalism ask to stop."
    )
    message = _("Demands trace keeping: %(demanded)s")
    source = Source.PAPER
    clause = "4.1.3"
    quote = _(
        "Stop judging work by the traces it leaves: no demands for photos, check-ins or written material "
        "as proof that the work was done."
    )
    record_kind = "*"
    severity = "medium"
    params = (
        Param(
            "banned",
            _("Banned traces"),
            default=("checkin", "material", "photo"),
            kind="choices",
            choices=tuple(TraceRequirement.choices),
        ),
    )

    def find(self, records, params, today):
        banned = params["banned"]
        if not banned:
            return
        query = Q()
        for trace in banned:
            query |= Q(trace_requirements__contains=trace)
        for row in records.filter(query).values("pk", "unit_id", "source_unit_id", "trace_requirements"):
            demanded = [t for t in _tokens(row["trace_requirements"]) if t in banned]
            if demanded:
                yield self.finding(row, demanded=demanded)

    def render(self, values, params):
        # Stored as codes, so the message reads right in whichever language it is shown.
        labels = dict(TraceRequirement.choices)
        names = "、".join(str(labels.get(code, code)) for code in values.get("demanded", []))
        return str(self.message) % {"demanded": names}


def _tokens(value) -> list[str]:
    if isinstance(value, str):
        return [token for token in value.split(",") if token]
    return list(value or [])
