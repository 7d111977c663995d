"""Template helpers for the shared record pages."""

from django import template
from django.utils.html import format_html

from burden.record_display import display_value

register = template.Library()


@register.simple_tag
def cell(record, name):
    """A record's field as the list shows it."""
    return display_value(record._meta.get_field(name), getattr(record, name))


@register.simple_tag
def sort_link(label, name, current, query):
    """A column header that sorts by ``name``, and reverses on a second click."""
    descending = current == name
    target = f"-{name}" if descending else name
    arrow = " ▲" if current == name else " ▼" if current == f"-{name}" else ""
    prefix = f"{query}&" if query else ""
    return format_html('<a class="link-body-emphasis" href="?{}sort={}">{}{}</a>', prefix, target, label, arrow)


@register.filter
def filters_in_use(form, data=None) -> int:
    """How many of a filter form's visible fields the request set, so a folded filter panel can say so.

    ``data``: the request's own query (``request.GET``) where the filter set fills in
    defaults of its own, which the person did not choose.
    """
    data = form.data if data is None else data

    def values(name) -> list:
        if hasattr(data, "getlist"):
            return data.getlist(name)
        return [data[name]] if data.get(name) else []

    return sum(
        1
        for name, field in form.fields.items()
        if not field.widget.is_hidden and any(str(value).strip() for value in values(name))
    )
