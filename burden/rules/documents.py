"""Document rules (paper 3.1 and 4.1.1: fewer, shorter documents, each with substance).

``DOC-FORWARD``, ``DOC-LENGTH`` and ``DOC-EMPTY`` are queryset filters. ``DOC-DAILY``
counts a unit's documents per day with a window function and ``DOC-SUPPLEMENT``
counts a document's supplements with a grouped join: one SQL statement each, however
many documents there are.
"""

from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, Q, Window
from django.utils.translation import gettext_lazy as _

from documents.models import Document

from .base import Param, Rule, register


@register
class DocumentsPerDay(Rule):
    """Paper 3.1 (more than ten documents a day) and 4.1.1 (strict control of the number of documents).

    A unit-day on which the unit received more than ``max_per_day`` documents is one
    finding (keyed by the day, anchored on its first document) listing every document
    of the day: the day, not one document, is the burden. It goes to the source unit
    that sent most of them.
    """

    code = "DOC-DAILY"
    title = _("Too many documents in a day")
    description = _("A unit receives more documents in one day than the limit.")
    message = _("Received %(count)s documents on %(date)s, over the limit of %(max_per_day)s")
    clause = "3.1"
    record_kind = "document"
    severity = "medium"
    aggregate = True
    params = (Param("max_per_day", _("Documents allowed a day"), default=10, minimum=1),)

    def find(self, records, params, today):
        base = records
        if records.query.has_filters():
            # A few records (what a saved one affects) are still counted against their whole day.
            base = Document.objects.filter(
                unit_id__in=records.values("unit_id"), received_on__in=records.values("received_on")
            )
        rows = (
            base.annotate(day_count=Window(Count("pk"), partition_by=[F("unit_id"), F("received_on")]))
            .filter(day_count__gt=params["max_per_day"])
            .order_by("unit_id", "received_on", "pk")
            .values("pk", "unit_id", "source_unit_id", "received_on", "day_count")
        )
        for (_unit, day), day_rows in groupby(rows.iterator(), key=itemgetter("unit_id", "received_on")):
            day_rows = list(day_rows)
            yield self.group(
                day_rows, day.isoformat(), occurred_on=day, count=day_rows[0]["day_count"], date=day.isoformat()
            )

    def related(self, record):
        return Document.objects.filter(Q(pk=record.pk) | Q(unit_id=record.unit_id, received_on=record.received_on))


@register
class ForwardingOnly(Rule):
    """Paper 4.1.1: fewer forwarding documents — forwarding without adding anything local."""

    code = "DOC-FORWARD"
    title = _("Forwarded without local content")
    description = _("A document that only forwards another one, without any content of the forwarding unit's own.")
    message = _("Only forwards another document, with no local content added")
    clause = "4.1.1"
    record_kind = "document"
    severity = "low"

    def find(self, records, params, today):
        rows = records.filter(kind=Document.Kind.FORWARDING, has_local_content=False).values(
            "pk", "unit_id", "source_unit_id"
        )
        for row in rows:
            yield self.finding(row)


@register
class TooManySupplements(Rule):
    """Paper 4.1.1: fewer supplementary notices piled on one another.

    Counts the documents that name a document as their parent (its supplements); the
    parent is flagged when they are more than ``max_supplements``: one finding on the
    parent, listing it and its supplements.
    """

    code = "DOC-SUPPLEMENT"
    title = _("Too many supplementary notices")
    description = _("A document followed by more supplementary notices than the limit.")
    message = _("Followed by %(count)s supplementary notices, over the limit of %(max_supplements)s")
    clause = "4.1.1"
    record_kind = "document"
    severity = "medium"
    aggregate = True
    anchor_moves = False
    params = (Param("max_supplements", _("Supplementary notices allowed to one document"), default=1, minimum=0),)

    def find(self, records, params, today):
        parents = (
            records.annotate(supplement_count=Count("supplements"))
            .filter(supplement_count__gt=params["max_supplements"])
            .values("pk", "unit_id", "source_unit_id", "supplement_count")
        )
        # The supplements of the parents found, in one query; each parent first in its group.
        supplements = (
            Document.objects.filter(parent__in=parents.values("pk"))
            .order_by("parent_id", "received_on", "pk")
            .values("parent_id", "pk", "unit_id", "source_unit_id")
        )
        by_parent = {parent_id: list(rows) for parent_id, rows in groupby(supplements, key=itemgetter("parent_id"))}
        for parent in parents:
            yield self.group([parent, *by_parent.get(parent["pk"], [])], count=parent["supplement_count"])

    def related(self, record):
        # The document itself (its own supplements) and the one it supplements.
        return Document.objects.filter(Q(pk=record.pk) | Q(pk=record.parent_id))


@register
class DocumentLength(Rule):
    """Paper 4.1.1: short documents where a short one can say it."""

    code = "DOC-LENGTH"
    title = _("Document too long")
    description = _("A document whose body text is longer than the limit.")
    message = _("%(length)s characters long, over the limit of %(max_chars)s")
    clause = "4.1.1"
    record_kind = "document"
    severity = "low"
    params = (Param("max_chars", _("Longest allowed (characters)"), default=5000, minimum=1),)

    def find(self, records, params, today):
        rows = records.filter(length_chars__gt=params["max_chars"]).values(
            "pk", "unit_id", "source_unit_id", "length_chars"
        )
        for row in rows:
            yield self.finding(row, length=row["length_chars"])


@register
class EmptyDocument(Rule):
    """Paper 4.1.1: no document without substantive content."""

    code = "DOC-EMPTY"
    title = _("Document without substance")
    description = _("A document that asks or decides nothing of substance.")
    message = _("Issued without substantive content")
    clause = "4.1.1"
    record_kind = "document"
    severity = "medium"

    def find(self, records, params, today):
        for row in records.filter(substantive=False).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)
