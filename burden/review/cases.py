"""Cases (督办事项): gathering open flags by the department that caused them, and the ladder.

- ``cases_gather``: after the rules engine wrote its findings, open flags not in an
  active case join the one of their source department, rule and period (a case is
  opened when there is none); a flag with no source unit is a case of its own. Each
  touched case's numbers (flags, units, hours, severity), its owner and its weight
  are recounted; an active case left with no open flag closes itself. A fixed number
  of statements however many flags and cases (plus one per owner that changes).
- who sees a case is decided by one gate, ``Case.objects.for_user`` (``burden.review.models``);
- ``case_reply``, ``case_add_evidence``, ``case_escalate``, ``case_transition``: what
  people do with a case; its flags move with it, all or none.

Errors are raised for the caller to show, as in ``burden.review.services``:
``PermissionDenied`` when the person may not do it, ``ValidationError`` keyed by field.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, TruncMonth, TruncQuarter
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import scoping
from ..models import Unit, Violation, ViolationRecord
from ..records.registry import record_models
from ..rules.base import SEVERITY_RANK, severity_rank
from .models import Case, CaseEvent, CaseLetter, CasePolicy

OPEN_FLAGS = tuple(status.value for status in Violation.OPEN_STATUSES)
NOTE_MAX_LENGTH = 4000
MINUTES_MAX_LENGTH = 20000
#: A circulated notice names each of its cases; past this many, issue two.
NOTICE_MAX_CASES = 50


def _period(policy: CasePolicy):
    return TruncQuarter("occurred_on") if policy.period == CasePolicy.Period.QUARTER else TruncMonth("occurred_on")


def _active_case(policy: CasePolicy, *, solo: bool):
    """The active case a flag (``OuterRef``) belongs in, as a subquery of its id."""
    cases = Case.objects.active()
    if solo:
        # "flag-<id>": a flag without a source unit is a case of its own.
        cases = cases.filter(key=Concat(Value("flag-"), Cast(OuterRef("pk"), CharField()), output_field=CharField()))
    else:
        cases = cases.filter(key="", source_unit_id=OuterRef("source_unit_id"), period=_period_of_outer(policy))
        cases = cases.filter(rule=OuterRef("rule")) if policy.by_rule else cases.filter(rule="")
    return Subquery(cases.values("pk")[:1])


def _period_of_outer(policy: CasePolicy):
    day = ExpressionWrapper(OuterRef("occurred_on"), output_field=DateField())
    return TruncQuarter(day) if policy.period == CasePolicy.Period.QUARTER else TruncMonth(day)


@transaction.atomic
def cases_gather(*, units=None, today: datetime.date | None = None) -> dict[str, int]:
    """Gather open flags into cases and recount the cases they touch; what was done.

    ``units``: ids of the units whose flags a change can have moved (a saved record's
    unit); ``None`` looks at every flag, as a sweep does.
    """
    today = today or timezone.localdate()
    flags = Violation.objects.filter(status__in=OPEN_FLAGS)
    # The cases whose numbers may have moved: every active case with a flag (of any status:
    # a cleared one leaves its count) on the units looked at, or every active case.
    active = Case.objects.active()
    if units is not None:
        flags = flags.filter(unit_id__in=units)
        active = active.filter(Exists(Violation.objects.filter(case=OuterRef("pk"), unit_id__in=units)))
        # A saved record of a unit with no flag waiting and no active case (most saves): two reads, nothing to do.
        touched = list(active.values_list("pk", flat=True))
        if not touched and not flags.exclude(case__status__in=Case.ACTIVE_STATUSES).exists():
            return {"opened": 0, "joined": 0, "closed": 0}
    policy = CasePolicy.current()
    # An open flag whose case is over (a flag reopened after its case closed) waits for a new one.
    flags.filter(case__isnull=False).exclude(case__status__in=Case.ACTIVE_STATUSES).update(case=None)
    waiting = flags.filter(case__isnull=True)
    opened = _open_missing(policy, waiting, today)
    # Every waiting flag now has its active case: one UPDATE each for the grouped and the solo ones.
    joined = waiting.filter(source_unit__isnull=False).update(case=_active_case(policy, solo=False))
    joined += waiting.filter(source_unit__isnull=True).update(case=_active_case(policy, solo=True))
    closed = _recount(Case.objects.filter(pk__in=active.values("pk")))
    return {"opened": opened, "joined": joined, "closed": closed}


def cases_gather_after_evaluation(sender, *, units, today, **kwargs) -> None:
    """Receiver of ``burden.rules.engine.evaluated``: the flags just written join their cases."""
    cases_gather(units=units, today=today)


def _open_missing(policy: CasePolicy, waiting, today: datetime.date) -> int:
    """Open the active cases the waiting flags need and do not have yet: two INSERT ... SELECT and their events."""
    stamp = timezone.now()
    constants = {
        "new_status": Value(Case.Status.OPEN.value),
        "new_step": Value(Case.Step.NONE.value),
        "new_severity": Value("medium"),
        "new_deadline": Value(today + datetime.timedelta(days=policy.reply_days), output_field=DateField()),
        "new_zero": Value(0),
        "new_opened_at": Value(stamp, output_field=DateTimeField()),
        "new_version": Value(1),
    }
    columns = {
        "rule": "new_rule",
        "source_unit": "new_source",
        "period": "new_period",
        "key": "new_key",
        "status": "new_status",
        "step": "new_step",
        "severity": "new_severity",
        "deadline": "new_deadline",
        "flags": "new_zero",
        "units": "new_zero",
        "hours": "new_zero",
        "weight": "new_zero",
        "opened_at": "new_opened_at",
        "version": "new_version",
    }
    active = Case.objects.active().filter(key="", source_unit_id=OuterRef("new_source"), period=OuterRef("new_period"))
    active = active.filter(rule=OuterRef("new_rule"))
    grouped = (
        waiting.filter(source_unit__isnull=False)
        .order_by()
        .annotate(
            new_rule=F("rule") if policy.by_rule else Value(""),
            new_source=F("source_unit_id"),
            new_period=_period(policy),
            new_key=Value(""),
            **constants,
        )
        .filter(~Exists(active))
        .distinct()
    )
    solo = (
        waiting.filter(source_unit__isnull=True)
        .order_by()
        .annotate(
            new_rule=F("rule"),
            new_source=Cast(Value(None), BigIntegerField()),  # a typed NULL: PostgreSQL reads a bare one as text
            new_period=_period(policy),
            new_key=Concat(Value("flag-"), Cast("pk", CharField()), output_field=CharField()),
            **constants,
        )
    )
    opened = _insert_select(Case, columns, grouped) + _insert_select(Case, columns, solo)
    if opened:
        events = Case.objects.filter(opened_at=stamp).annotate(
            new_case=F("pk"),
            new_kind=Value(CaseEvent.Kind.OPENED.value),
            new_blank=Value(""),
            new_open=Value(Case.Status.OPEN.value),
            new_at=Value(stamp, output_field=DateTimeField()),
        )
        _insert_select(
            CaseEvent,
            {
                "case": "new_case",
                "kind": "new_kind",
                "from_status": "new_blank",
                "to_status": "new_open",
                "step": "new_blank",
                "note": "new_blank",
                "at": "new_at",
            },
            events,
        )
    return opened


def _insert_select(model, columns: dict[str, str], queryset) -> int:
    """INSERT INTO ``model`` (its fields of ``columns``) the rows of ``queryset``'s annotations; how many."""
    quote = connection.ops.quote_name
    names = list(dict.fromkeys(columns.values()))
    select = queryset.values(*names)
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:
        return 0
    targets = ", ".join(quote(model._meta.get_field(field).column) for field in columns)
    picked = ", ".join(f"s.{quote(alias)}" for alias in columns.values())
    with connection.cursor() as cursor:
        table = quote(model._meta.db_table)
        insert = f"INSERT INTO {table} ({targets}) SELECT {picked} FROM ({sql}) s"  # nosec B608 # names from the models' metadata; values go as parameters
        cursor.execute(insert, params)
        return cursor.rowcount


def cases_recount(case_ids) -> int:
    """Recount the cases of ``case_ids`` after their flags moved outside the engine (a person's review)."""
    return _recount(Case.objects.filter(pk__in=sorted({case_id for case_id in case_ids if case_id is not None})))


def _recount(cases) -> int:
    """Recount flags, units, hours, severity, weight and owner of ``cases``; close the emptied; how many closed.

    Three UPDATEs with subqueries, one per owner that changes, one INSERT ... SELECT of
    the closing events: as many statements for three cases as for three thousand.
    """
    open_flags = Violation.objects.filter(case=OuterRef("pk"), status__in=OPEN_FLAGS).order_by()

    def count(expression):
        return Coalesce(Subquery(open_flags.values("case").annotate(n=expression).values("n")[:1]), 0)

    def has(severity):
        return Exists(open_flags.filter(severity=severity))

    cases.update(
        flags=count(Count("pk")),
        units=count(Count("unit_id", distinct=True)),
        hours=_hours(open_flags),
        # The highest severity among its open flags; kept as it was when it has none.
        severity=CaseWhen(
            *(When(has(severity), then=Value(severity)) for severity in reversed(SEVERITY_RANK)),
            default=F("severity"),
        ),
    )
    rank = severity_rank(default=1)
    cases.update(weight=ExpressionWrapper(rank * Greatest(F("hours"), Value(1)), output_field=DecimalField()))
    _owners(cases)
    emptied = cases.filter(status__in=Case.ACTIVE_STATUSES, flags=0)
    stamp = timezone.now()
    closing = emptied.annotate(
        new_case=F("pk"),
        new_kind=Value(CaseEvent.Kind.CLOSED.value),
        new_from=F("status"),
        new_to=Value(Case.Status.CLOSED.value),
        new_blank=Value(""),
        new_at=Value(stamp, output_field=DateTimeField()),
    )
    closed = _insert_select(
        CaseEvent,
        {
            "case": "new_case",
            "kind": "new_kind",
            "from_status": "new_from",
            "to_status": "new_to",
            "step": "new_blank",
            "note": "new_blank",
            "at": "new_at",
        },
        closing,
    )
    if closed:
        emptied.update(status=Case.Status.CLOSED, closed_at=stamp)
    return closed


def _hours(open_flags):
    """Burden hours of the records behind a case's open flags: a subquery per kind for single and group flags."""
    terms = []
    for kind, model in record_models().items():
        hours = model.objects.filter(pk=OuterRef("record_id")).values("burden_hours")[:1]
        single = (
            open_flags.filter(record_kind=kind)
            .exclude(Exists(ViolationRecord.objects.filter(violation=OuterRef("pk"))))
            .values("case")
            .annotate(h=Sum(Subquery(hours)))
            .values("h")[:1]
        )
        grouped = (
            ViolationRecord.objects.filter(
                violation__case=OuterRef("pk"), violation__status__in=OPEN_FLAGS, record_kind=kind
            )
            .order_by()
            .values("violation__case")
            .annotate(h=Sum(Subquery(hours)))
            .values("h")[:1]
        )
        zero = Value(Decimal(0), output_field=DecimalField())
        terms += [Coalesce(Subquery(single), zero), Coalesce(Subquery(grouped), zero)]
    return ExpressionWrapper(_balanced_sum(terms), output_field=DecimalField())


def _balanced_sum(terms: list):
    """``a + b + c + ...`` as a balanced tree, not a chain: the SQL nests as deep as log2 of the
    terms, so that a kind more adds no level (SQLite's parser stops at a fixed depth)."""
    if not terms:
        return Value(Decimal(0), output_field=DecimalField())
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return _balanced_sum(terms[:middle]) + _balanced_sum(terms[middle:])


def common_path(paths) -> str:
    """The deepest path every one of ``paths`` lies in (``/JC/DH/`` for ``/JC/DH/A/`` and ``/JC/DH/B/``)."""
    split = [path.strip("/").split("/") for path in paths if path]
    if not split:
        return ""
    shared = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    return "/" + "/".join(shared) + "/" if shared else ""


def _owners(cases) -> None:
    """Set each case's owner: the nearest unit whose subtree holds its burdened units and its department.

    A case with no department (one flag of no source unit) is owned by the burdened
    unit's parent, whose supervisors review it; a root unit owns its own. One read of
    the cases' unit paths, then one UPDATE per owner that changes (owners are the few
    supervising units, however many cases there are).
    """
    rows = (
        Violation.objects.filter(case__in=cases, status__in=OPEN_FLAGS)
        .order_by()
        .values_list("case_id", "case__source_unit__path", "case__owner_unit_id", "unit__path")
        .distinct()
    )
    paths: dict[int, set[str]] = defaultdict(set)
    facts: dict[int, tuple[str | None, int | None]] = {}
    for case_id, source_path, owner_id, unit_path in rows:
        paths[case_id].add(unit_path)
        facts[case_id] = (source_path, owner_id)
    wanted: dict[int, str] = {}
    for case_id, unit_paths in paths.items():
        source_path = facts[case_id][0]
        if source_path:
            wanted[case_id] = common_path([*unit_paths, source_path])
        else:
            shared = common_path(unit_paths)
            parent = shared.rstrip("/").rsplit("/", 1)[0] + "/"
            wanted[case_id] = parent if len(parent) > 1 else shared
    by_path = dict(Unit.objects.filter(path__in=set(wanted.values())).values_list("path", "pk"))
    moves: dict[int, list[int]] = defaultdict(list)
    for case_id, path in wanted.items():
        owner = by_path.get(path)
        if owner is not None and owner != facts[case_id][1]:
            moves[owner].append(case_id)
    for owner, case_ids in moves.items():
        Case.objects.filter(pk__in=case_ids).update(owner_unit_id=owner)


# --- who sees and who acts ------------------------------------------------------------


def may_reply(user, case: Case) -> bool:
    """The source department's people (any role there, or above it) reply for it."""
    return case.source_unit is not None and scoping.scope_for(user).has_role_at(case.source_unit, scoping.STAFF)


def may_decide(user, case: Case) -> bool:
    """The owner unit's supervisors and admins climb the ladder, accept, waive or reopen.

    A case no unit holds whole (its burdened unit and its department in two trees) is
    decided by those who see everything.
    """
    scope = scoping.scope_for(user)
    if case.owner_unit is None:
        return scope.everything
    return scope.has_role_at(case.owner_unit, scoping.SUPERVISOR)


def may_escalate(user, case: Case) -> bool:
    """The owner's supervisors climb every step; a burdened unit's supervisors may send the first, a reminder.

    A street supervisor facing a district bureau reminds it in the street's name; the
    circulated notice and the interview are the owner's (the district's) to decide. A
    case with no department has no one to write to.
    """
    if case.source_unit_id is None:
        return False
    if may_decide(user, case):
        return True
    return case.is_active and case.step == Case.Step.NONE and may_add_evidence(user, case)


def may_circulate(user, case: Case) -> bool:
    """Whether ``user`` may name ``case`` in a circulated notice now: the owner's, open, reminded already."""
    return (
        case.is_active
        and case.source_unit_id is not None
        and case.next_step == Case.Step.NOTICE
        and may_decide(user, case)
    )


def _issuer(user, case: Case):
    """The unit a letter goes out in the name of: the owner, or the reminding supervisor's own unit."""
    if may_decide(user, case):
        if case.owner_unit is None:
            no_owner = _(
                "No unit holds both the burdened units and the department, so no letter can be issued in its name."
            )
            raise ValidationError({"owner_unit": [no_owner]})
        return case.owner_unit
    scope = scoping.scope_for(user)
    paths = set(case.violations.values_list("unit__path", flat=True))
    seats = [g for g in scope.grants if g.covers_subtree and any(path.startswith(g.path) for path in paths)]
    if not seats:
        raise PermissionDenied(
            _("Only the supervisors of the unit that owns the case can escalate it; a burdened unit's may remind.")
        )
    seat = max(seats, key=lambda grant: len(grant.path))  # the nearest: the street, not the district above it
    return Unit.objects.get(pk=seat.unit_id)


def may_add_evidence(user, case: Case) -> bool:
    """The owner's supervisors, and the supervisors of a burdened unit below it."""
    if may_decide(user, case):
        return True
    scope = scoping.scope_for(user)
    return case.violations.filter(scope.q("unit", scoping.SUPERVISOR)).exists()


def _note(note: str, *, required: bool, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({field: [_("Say what was done, or why.")]})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({field: [_("Keep the note under %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH}]})
    return note


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("source_unit", "owner_unit").get(pk=case.pk)


def case_reply(*, case: Case, user, note: str, measures: str = "") -> CaseEvent:
    """The department's rectification note (整改说明) and its measures: the case becomes *replied*, for its owner."""
    note = _note(note, required=True)
    measures = _note(measures, required=False, field="measures")
    with transaction.atomic():
        current = _locked(case)
        if not may_reply(user, current):
            raise PermissionDenied(_("Only the department the case is against can reply to it."))
        if current.status not in (Case.Status.OPEN, Case.Status.REPLIED):
            raise ValidationError({"status": [_("This case is no longer open.")]})
        event = CaseEvent.objects.create(
            case=current,
            kind=CaseEvent.Kind.REPLY,
            from_status=current.status,
            to_status=Case.Status.REPLIED,
            actor=user,
            note=note,
            measures=measures,
        )
        Case.objects.filter(pk=current.pk).update(status=Case.Status.REPLIED, version=current.version + 1)
    case.status = Case.Status.REPLIED
    return event


def case_add_evidence(*, case: Case, user, note: str) -> CaseEvent:
    """A supervisor's evidence or comment on the case, status unchanged."""
    note = _note(note, required=True)
    if not may_add_evidence(user, case):
        raise PermissionDenied(_("Only the supervisors of the case's units can add evidence."))
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.EVIDENCE, actor=user, note=note)


def case_escalate(
    *, case: Case, user, note: str = "", interview_on: datetime.date | None = None, today: datetime.date | None = None
) -> CaseLetter:
    """Climb one step of the ladder (reminder -> circulated notice -> interview) with its numbered letter.

    The letter is issued by the owner unit to the department, numbered in the owner's
    sequence for the step and year; the case's deadline becomes the step's. An
    interview needs its date. The case is open again (a reply did not satisfy).
    """
    today = today or timezone.localdate()
    note = _note(note, required=False)
    with transaction.atomic():
        current = _locked(case)
        if current.source_unit_id is None:
            raise ValidationError(
                {"source_unit": [_("This case has no department to write to; resolve or waive it instead.")]}
            )
        if not may_escalate(user, current):
            raise PermissionDenied(
                _("Only the supervisors of the unit that owns the case can escalate it; a burdened unit's may remind.")
            )
        if not current.is_active:
            raise ValidationError({"status": [_("This case is no longer open.")]})
        step = current.next_step
        if step is None:
            raise ValidationError({"step": [_("The case is already at the last step of the ladder.")]})
        if step == Case.Step.INTERVIEW and interview_on is None:
            raise ValidationError({"interview_on": [_("Give the date of the interview.")]})
        if interview_on is not None and interview_on < today:
            raise ValidationError({"interview_on": [_("The interview cannot be in the past.")]})
        letter = letter_issue(
            cases=[current],
            step=step,
            issuing_unit=_issuer(user, current),
            user=user,
            note=note,
            today=today,
            interview_on=interview_on,
        )
    case.step, case.status, case.deadline = current.step, current.status, current.deadline
    return letter


def letter_issue(*, cases, step, issuing_unit, user, note, today, interview_on=None) -> CaseLetter:
    """Number and issue a letter of ``step`` for ``cases`` (one, or a notice's bundle); move the cases on."""
    policy = CasePolicy.current()
    deadline = (interview_on or today) + datetime.timedelta(days=policy.step_days(step))
    last = (
        CaseLetter.objects.select_for_update()
        .filter(issuing_unit=issuing_unit, step=step, year=today.year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    letter = CaseLetter.objects.create(
        step=step,
        number=(last or 0) + 1,
        year=today.year,
        issuing_unit=issuing_unit,
        issued_on=today,
        deadline=deadline,
        interview_on=interview_on,
        note=note,
        issued_by=user,
    )
    letter.cases.set(cases)
    for case in cases:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.STEP,
            from_status=case.status,
            to_status=Case.Status.OPEN,
            step=step,
            letter=letter,
            actor=user,
            note=note,
        )
        case.step, case.status, case.deadline = step, Case.Status.OPEN, deadline
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(
        step=step, status=Case.Status.OPEN, deadline=deadline
    )
    return letter


def notice_issue(*, cases, user, note: str = "", today: datetime.date | None = None) -> CaseLetter:
    """One circulated notice (通报) for several cases of one owner, over one or several departments.

    Each case must be open, reminded already (the notice is the ladder's second step)
    and owned by one unit whose supervisors the issuer is among; the letter is numbered
    in that unit's sequence of notices and every case moves to the notice step with its
    deadline. All or none: one case that does not fit refuses the whole notice.
    """
    today = today or timezone.localdate()
    note = _note(note, required=False)
    wanted = sorted({case.pk for case in cases})
    if not wanted:
        raise ValidationError({"cases": [_("Choose the cases the notice is about.")]})
    if len(wanted) > NOTICE_MAX_CASES:
        raise ValidationError(
            {"cases": [_("A notice names at most %(limit)s cases; issue two.") % {"limit": NOTICE_MAX_CASES}]}
        )
    with transaction.atomic():
        current = list(
            Case.objects.select_for_update(of=("self",))
            .select_related("source_unit", "owner_unit")
            .filter(pk__in=wanted)
            .order_by("pk")
        )
        for case in current:
            if not may_decide(user, case):
                raise PermissionDenied(
                    _("Only the supervisors of the unit that owns a case can circulate a notice of it.")
                )
        problems = []
        for case in current:
            label = _("Case %(number)s") % {"number": case.pk}
            if not case.is_active:
                problems.append(_("%(case)s is no longer open.") % {"case": label})
            elif case.source_unit_id is None:
                problems.append(_("%(case)s has no department to write to.") % {"case": label})
            elif case.next_step != Case.Step.NOTICE:
                problems.append(
                    _("%(case)s is at the step “%(step)s”; a notice follows a reminder.")
                    % {"case": label, "step": case.get_step_display()}
                )
        if len({case.owner_unit_id for case in current}) > 1:
            problems.append(_("The cases are owned by different units; a notice is issued by one."))
        if problems:
            raise ValidationError({"cases": problems})
        return letter_issue(
            cases=current,
            step=Case.Step.NOTICE,
            issuing_unit=_issuer(user, current[0]),
            user=user,
            note=note,
            today=today,
        )


def interview_minutes_record(
    *, case: Case, user, held_on: datetime.date, minutes: str, today: datetime.date | None = None
) -> CaseEvent:
    """The minutes (约谈记录) of the case's interview, once held: on its letter, and in the timeline.

    The owner's supervisors record them; recording again corrects them, and the
    timeline keeps every version with who and when.
    """
    today = today or timezone.localdate()
    minutes = (minutes or "").strip()
    errors: dict[str, list] = {}
    if not minutes:
        errors["minutes"] = [_("Write down what was said and agreed.")]
    elif len(minutes) > MINUTES_MAX_LENGTH:
        errors["minutes"] = [_("Keep the minutes under %(limit)s characters.") % {"limit": MINUTES_MAX_LENGTH}]
    with transaction.atomic():
        current = _locked(case)
        if not may_decide(user, current):
            raise PermissionDenied(_("Only the supervisors of the unit that owns the case can record its interview."))
        letter = (
            CaseLetter.objects.select_for_update()
            .filter(cases=current, step=Case.Step.INTERVIEW)
            .order_by("-issued_on", "-pk")
            .first()
        )
        if letter is None:
            raise ValidationError({"minutes": [_("No interview has been called for this case.")]})
        if held_on is None:
            errors["held_on"] = [_("Give the day the interview was held.")]
        elif held_on > today:
            errors["held_on"] = [_("The interview cannot have been held in the future.")]
        elif held_on < letter.issued_on:
            errors["held_on"] = [
                _("The interview was called on %(day)s; it cannot have been held before.")
                % {"day": formats.date_format(letter.issued_on)}
            ]
        if errors:
            raise ValidationError(errors)
        letter.held_on, letter.minutes, letter.minutes_by = held_on, minutes, user
        letter.save(update_fields=["held_on", "minutes", "minutes_by"])
        return CaseEvent.objects.create(
            case=current, kind=CaseEvent.Kind.MINUTES, step=Case.Step.INTERVIEW, letter=letter, actor=user, note=minutes
        )


#: Where the owner may move a case, and what its open flags become.
CASE_MOVES = {
    Case.Status.RESOLVED: Violation.Status.RESOLVED,
    Case.Status.WAIVED: Violation.Status.WAIVED,
    Case.Status.OPEN: Violation.Status.OPEN,
}


def case_transition(*, case: Case, user, status: str, note: str = "") -> CaseEvent:
    """Accept the rectification (resolved), waive the case (a note required) or reopen it; its flags move too.

    All or none: if any flag may not move (see ``burden.review.services``), nothing does.
    """
    from .services import violations_transition

    if status not in CASE_MOVES:
        raise ValidationError({"status": [_("Choose resolved, waived or open.")]})
    note = _note(note, required=status == Case.Status.WAIVED)
    with transaction.atomic():
        current = _locked(case)
        if not may_decide(user, current):
            raise PermissionDenied(_("Only the supervisors of the unit that owns the case can decide it."))
        if status == Case.Status.OPEN:
            if current.is_active:
                raise ValidationError({"status": [_("This case is already open.")]})
            if current.status == Case.Status.CLOSED:
                raise ValidationError({"status": [_("A case closed because its flags cleared cannot be reopened.")]})
            rival = Case.objects.active().filter(
                rule=current.rule, source_unit=current.source_unit, period=current.period, key=current.key
            )
            if rival.exists():
                raise ValidationError({"status": [_("A newer case of the same department, rule and period is open.")]})
            flags = list(current.violations.filter(status=CASE_MOVES[current.status]))
        else:
            if not current.is_active:
                raise ValidationError({"status": [_("This case is no longer open.")]})
            flags = list(current.violations.filter(status__in=OPEN_FLAGS))
        if flags:
            violations_transition(
                violations=flags, user=user, status=CASE_MOVES[status], note=note, recount_cases=False
            )
        event = CaseEvent.objects.create(
            case=current,
            kind=CaseEvent.Kind.TRANSITION,
            from_status=current.status,
            to_status=status,
            actor=user,
            note=note,
        )
        closed_at = None if status == Case.Status.OPEN else timezone.now()
        Case.objects.filter(pk=current.pk).update(status=status, closed_at=closed_at, version=current.version + 1)
        if status == Case.Status.OPEN:
            _recount(Case.objects.filter(pk=current.pk))
    case.status = status
    return event


POLICY_FIELDS = ("period", "by_rule", "reply_days", "reminder_days", "notice_days", "interview_days")


@transaction.atomic
def case_policy_update(*, user, reason: str, **values) -> CasePolicy | None:
    """Change how flags are gathered and the days each step allows; the row, or None when nothing changed.

    City-wide administrators only (``PermissionDenied``); a reason is required and the
    values are checked (``ValidationError`` by field). The change is kept in the row's
    history with who and why. It applies to the cases opened and the letters issued from
    now on: a case already open keeps its flags and its deadline.
    """
    if not scoping.scope_for(user).sets_city_settings:
        raise PermissionDenied(_("Only city-wide administrators can change how cases are gathered."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the case policy changes.")]})
    row = CasePolicy.objects.select_for_update().filter(pk=1).first() or CasePolicy(pk=1)
    new = {name: values[name] for name in POLICY_FIELDS if name in values}
    if row.updated_at is not None and all(getattr(row, name) == value for name, value in new.items()):
        return None
    for name, value in new.items():
        setattr(row, name, value)
    row.full_clean(exclude=["updated_at"])
    row._change_reason = reason.strip()
    row._history_user = user
    row.save()
    return row
