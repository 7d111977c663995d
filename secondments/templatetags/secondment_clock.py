"""The secondment detail page's clock panel."""

from django import template
from django.utils import timezone

from burden.models import CostParameters
from secondments.forms import ExtensionForm

register = template.Library()


@register.simple_tag(takes_context=True)
def secondment_clock(context, record) -> dict:
    """The clock on today's date, the hours by month, and the extension form (bound after a refused POST)."""
    clock = record.clock(timezone.localdate())  # reads the extensions once, for what follows too
    return {
        "clock": clock,
        "hours_by_month": record.hours_by_month(CostParameters.current()),
        "form": context.get("extension_form") or ExtensionForm(),
    }
