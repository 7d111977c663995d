"""Document rules (paper 3.1 and 4.1.1, and part 一 of the 2024 regulation: fewer, shorter documents).

``DOC-FORWARD``, ``DOC-LENGTH``, ``DOC-EMPTY``, ``DOC-REPORT-BACK`` and ``DOC-VETO``
are queryset filters. ``DOC-DAILY`` adds up a unit's documents per day with a window
function, ``DOC-SUPPLEMENT`` counts a document's supplements with a grouped join and
``DOC-MERGE`` compares a document with the previous one of its issuer on its matter
(``Lag``): one SQL statement each, however many documents there are.

What the issuer called a document (``labelled_as``: 白头, 便笺, a notice slip) is read
by no rule: each of them judges every document alike, so relabelling escapes none.
"""

import datetime
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_lazy as _

from documents.models import RELABELLED_LABELS, Document

from .base import Param, Part, Rule, Source, register


@register
class DocumentsPerDay(Rule):
    """Paper 3.1 (more than ten documents a day) and 4.1.1 (strict control of the number of documents).

    A unit-day on which the unit received more than ``max_per_day`` documents is one
    finding (keyed by the day, anchored on its first document) listing every document
    of the day: the day, not one document, is the burden. It goes to the source unit
    that sent most of them (weighed by their matters).

    The count resists the tricks the 2024 regulation names: a 白头, a 便笺 or a notice
    slip is a document like any other (no filter on ``labelled_as``), and a document
    bundling several matters (多文合一) counts as each of them (a sum of ``matters``).
    A day with relabelled documents says how many (``relabelled``) and that they count,
    citing the regulation's article 1, which forbids escaping the count by such labels.
    """

    code = "DOC-DAILY"
    title = _("Too many documents in a day")
    description = _(
        "A unit receives more documents in one day than the limit, whatever they were called; a document "
        "bundling several matters counts as each of them."
    )
    message = _("Received %(count)s documents on %(date)s, over the limit of %(max_per_day)s")
    message_relabelled = _(
        "Received %(count)s documents on %(date)s, over the limit of %(max_per_day)s; %(relabelled)s of them "
        "issued as white-headed documents, memos or notice slips count all the same (Several Provisions (2024), "
        "art. 1)"
    )
    clause = "3.1"
    quote = _(
        "Some grassroots units receive more than ten documents a day, and reading and answering them pushes "
        "the core work aside."
    )
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
            base.annotate(day_count=Window(Sum("matters"), partition_by=[F("unit_id"), F("received_on")]))
            .filter(day_count__gt=params["max_per_day"])
            .order_by("unit_id", "received_on", "pk")
            .values("pk", "unit_id", "source_unit_id", "received_on", "day_count", "matters", "labelled_as")
        )
        for (_unit, day), day_rows in groupby(rows.iterator(), key=itemgetter("unit_id", "received_on")):
            day_rows = list(day_rows)
            yield self.group(
                day_rows,
                day.isoformat(),
                occurred_on=day,
                weight="matters",
                count=day_rows[0]["day_count"],
                date=day.isoformat(),
                # The day's documents whose label hides them: the message says they count.
                relabelled=sum(row["matters"] for row in day_rows if row["labelled_as"] in RELABELLED_LABELS),
            )

    def render(self, values, params):
        message = self.message_relabelled if values.get("relabelled") else self.message
        return str(message) % {**params, **values}

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
    quote = _("Cut the share of forwarding documents and notices.")
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
    quote = _("Fewer supplementary notices piling demands on the grassroots.")
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
    """2024 regulation, art. 2 (and paper 4.1.1, "a short one where a short one can say it").

    The paper asked for short documents without a number; the regulation gives them: in
    general at most 5,000 characters, at most 4,000 for a document deploying a special
    or specific task. The rule keeps its code and now cites the regulation, whose limits
    it applies: ``max_chars`` for any document, ``max_chars_special_task`` for one with
    ``special_task``. The regulation exempts documents deploying comprehensive work,
    which the ledger does not tell apart; an admin who receives many raises ``max_chars``.
    """

    code = "DOC-LENGTH"
    title = _("Document too long")
    description = _(
        "A document whose body text is longer than the limit: 5,000 characters in general, 4,000 for one "
        "deploying a special or specific task."
    )
    message = _("%(length)s characters long, over the limit of %(max_chars)s")
    message_special_task = _(
        "%(length)s characters long, over the limit of %(max_chars_special_task)s for a document deploying a "
        "special task"
    )
    source = Source.REGULATION_2024
    clause = "2"
    quote = _(
        "Except for deploying comprehensive work, local and departmental documents generally do not exceed 5,000 "
        "characters, and documents deploying special work or specific tasks generally do not exceed 4,000."
    )
    record_kind = "document"
    severity = "low"
    params = (
        Param("max_chars", _("Longest allowed (characters)"), default=5000, minimum=1),
        Param("max_chars_special_task", _("Longest allowed for a special task (characters)"), default=4000, minimum=1),
    )

    def find(self, records, params, today):
        over = Q(special_task=False, length_chars__gt=params["max_chars"]) | Q(
            special_task=True, length_chars__gt=params["max_chars_special_task"]
        )
        rows = records.filter(over).values("pk", "unit_id", "source_unit_id", "length_chars", "special_task")
        for row in rows:
            yield self.finding(row, length=row["length_chars"], special_task=row["special_task"])

    def render(self, values, params):
        message = self.message_special_task if values.get("special_task") else self.message
        return str(message) % {**params, **values}


@register
class DocumentDemandsReportBack(Rule):
    """2024 regulation, part I (一、切实精简文件; its article's number could not be confirmed):
    documents do not in general ask for reports on their implementation, nor for supporting
    documents (配套文件) of the units below."""

    code = "DOC-REPORT-BACK"
    title = _("Document demands a report back")
    description = _("A document that asks the unit to report on its implementation or to draw up supporting documents.")
    message = _("Demands a report on its implementation or supporting documents")
    source = Source.REGULATION_2024
    clause = Part("I")
    quote = _(
        "Documents generally do not ask for reports on how they are implemented, nor for supporting documents "
        "to be drawn up."
    )
    record_kind = "document"
    severity = "medium"

    def find(self, records, params, today):
        for row in records.filter(demands_report_back=True).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)


@register
class DocumentVetoOrPledge(Rule):
    """2024 regulation, parts 六 and 七: no one-vote vetoes (一票否决), signed pledges
    (责任状) or model and standard-reaching campaigns (创建示范/达标) pushed on the grassroots.

    Flags a document with ``sets_veto_or_pledge`` received by a grassroots unit (the
    unit's own ``is_grassroots``: streets, townships, communities, villages).

    The number of the article could not be confirmed, so the rule cites its part
    (六、规范明晰基层权责; 七、规范创建示范和达标活动 has the campaigns).
    """

    code = "DOC-VETO"
    title = _("Veto or pledge demanded of the grassroots")
    description = _(
        "A document that sets a one-vote veto, demands a signed responsibility pledge or a model or "
        "standard-reaching campaign of a grassroots unit."
    )
    message = _("Sets a one-vote veto, a responsibility pledge or a standard-reaching demand on a grassroots unit")
    source = Source.REGULATION_2024
    clause = Part("VI")
    quote = _(
        "One-vote vetoes and signed responsibility pledges are not pushed down on the grassroots at will, and "
        "model and standard-reaching campaigns are strictly limited."
    )
    record_kind = "document"
    severity = "high"

    def find(self, records, params, today):
        rows = records.filter(sets_veto_or_pledge=True, unit__is_grassroots=True).values(
            "pk", "unit_id", "source_unit_id"
        )
        for row in rows:
            yield self.finding(row)


@register
class DocumentMerge(Rule):
    """Paper 4.1.1: "where documents can be merged, none is issued on its own".

    A run of documents from one issuer to one unit on one ``matter`` (as logged, spaces
    tidied), each received within ``max_days`` days after the one before (the same day
    counts), is one finding anchored on its first document and listing them all, dated
    by the first. Documents without a matter, or supplementing another (``DOC-SUPPLEMENT``
    judges those), are left out.
    """

    code = "DOC-MERGE"
    title = _("Documents that could be merged")
    description = _(
        "Documents from the same issuer to the same unit on the same matter, a few days apart, could have been one."
    )
    message = _(
        "%(count)s documents of the same issuer on %(matter)s from %(first_date)s to %(last_date)s, each within "
        "%(max_days)s days of the one before, could have been one"
    )
    clause = "4.1.1"
    quote = _("Where documents can be merged, none is issued on its own.")
    record_kind = "document"
    severity = "low"
    aggregate = True
    params = (Param("max_days", _("Days apart that could be one document"), default=7, minimum=0, maximum=366),)

    def find(self, records, params, today):
        base = records
        if records.query.has_filters():
            # A few records (what a saved one affects) are still compared with their whole run.
            base = Document.objects.filter(
                unit_id__in=records.values("unit_id"),
                source_unit_id__in=records.values("source_unit_id"),
                matter__in=records.values("matter"),
            )
        ordering = {
            "partition_by": [F("unit_id"), F("source_unit_id"), F("matter")],
            "order_by": [F("received_on").asc(), F("pk").asc()],
        }
        rows = (
            base.filter(source_unit__isnull=False, parent__isnull=True)
            .exclude(matter="")
            .annotate(
                earlier_date=Window(Lag("received_on"), **ordering),
                earlier_pk=Window(Lag("pk"), **ordering),
            )
            .annotate(gap=ExpressionWrapper(F("received_on") - F("earlier_date"), output_field=DurationField()))
            .filter(gap__lte=datetime.timedelta(days=params["max_days"]))
            .order_by("unit_id", "source_unit_id", "matter", "received_on", "pk")
            .values("pk", "unit_id", "source_unit_id", "matter", "received_on", "earlier_date", "earlier_pk")
        )
        # As MTG-MERGE: a run starts at the earlier document of a found one that does not
        # itself follow the one found before it.
        run: list[dict] = []
        for row in rows.iterator():
            if not run or run[-1]["pk"] != row["earlier_pk"]:
                if run:
                    yield self._run(run)
                run = [{**row, "pk": row["earlier_pk"], "received_on": row["earlier_date"]}]
            run.append(row)
        if run:
            yield self._run(run)

    def _run(self, documents: list[dict]):
        first, last = documents[0]["received_on"], documents[-1]["received_on"]
        return self.group(
            documents,
            occurred_on=first,
            count=len(documents),
            matter=documents[0]["matter"],
            first_date=first.isoformat(),
            last_date=last.isoformat(),
        )

    def related(self, record):
        # Its run now (the engine looks again at the run it left, from its previous version).
        return Document.objects.filter(
            Q(pk=record.pk) | Q(unit_id=record.unit_id, source_unit_id=record.source_unit_id, matter=record.matter)
        )


@register
class EmptyDocument(Rule):
    """Paper 4.1.1: no document without substantive content."""

    code = "DOC-EMPTY"
    title = _("Document without substance")
    description = _("A document that asks or decides nothing of substance.")
    message = _("Issued without substantive content")
    clause = "4.1.1"
    quote = _("No document without substantive content.")
    record_kind = "document"
    severity = "medium"

    def find(self, records, params, today):
        for row in records.filter(substantive=False).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)
