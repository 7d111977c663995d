"""The review's writes, and the one place its rules live.

Who may move a flag where, what a waiver needs, and what each step leaves in the
timeline are decided here; the queue, the violation page, the bulk form and the REST
API (``POST /api/v1/violations/{id}/transition/``) all call these services.

Errors are raised for the caller to show: ``PermissionDenied`` (a translated message)
when the person may not do it at all, ``ValidationError`` with a dict keyed by
``status``, ``note`` or ``expires_on`` (translated messages; the API answers 400 with it)
when what was asked is not allowed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from burden.insights.rollups import rollups_flags_queue

from .. import scoping
from ..models import Violation, ViolationEvent
from .cases import cases_recount
from .models import NotificationPreference, ReviewDeadlines

Status = Violation.Status

#: Where people may move a flag from each status. ``cleared`` is the system's alone:
#: the rules engine sets it when a condition no longer holds, and reopens it if it returns.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.ACKNOWLEDGED, Status.RESOLVED, Status.WAIVED}),
    Status.ACKNOWLEDGED: frozenset({Status.RESOLVED, Status.WAIVED, Status.OPEN}),
    Status.RESOLVED: frozenset({Status.OPEN}),
    Status.WAIVED: frozenset({Status.OPEN}),
    Status.CLEARED: frozenset(),
}
#: What a person may ask for (``cleared`` is refused with its own message).
REQUESTABLE = (Status.OPEN, Status.ACKNOWLEDGED, Status.RESOLVED, Status.WAIVED)
NOTE_MAX_LENGTH = 4000


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _refused_role() -> PermissionDenied:
    return PermissionDenied(_("Only supervisors and admins of the flag's unit can change its status."))


def _request_errors(*, status: str, note: str, expires_on: datetime.date | None, today: datetime.date) -> dict:
    """What is wrong with the request itself, whichever flags it is for."""
    errors: dict[str, list[str]] = {}
    if status == Status.CLEARED:
        errors["status"] = [_("Only the system clears a flag, when its condition no longer holds.")]
    elif status not in REQUESTABLE:
        errors["status"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(REQUESTABLE)}]
    if status == Status.WAIVED and not note.strip():
        errors["note"] = [_("Say why the flag is waived.")]
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH}]
    if expires_on is not None:
        if status != Status.WAIVED:
            errors["expires_on"] = [_("Only a waiver can have an expiry date.")]
        elif expires_on <= today:
            errors["expires_on"] = [_("The waiver's expiry date must be after today.")]
    return errors


def _creators(violations: Iterable[Violation]) -> dict[tuple[str, int], int | None]:
    """Who created each flag's record: one query per kind of record."""
    from ..rules.engine import record_models

    models = record_models()
    ids_by_kind: dict[str, set[int]] = {}
    for violation in violations:
        ids_by_kind.setdefault(violation.record_kind, set()).add(violation.record_id)
    creators = {}
    for kind, ids in ids_by_kind.items():
        if kind in models:
            for pk, created_by in models[kind].objects.filter(pk__in=ids).values_list("pk", "created_by_id"):
                creators[(kind, pk)] = created_by
    return creators


def _move_problem(violation: Violation, *, user, status: str, creators: dict) -> Exception | None:
    """Why ``violation`` may not move to ``status`` (the request itself being valid), or None."""
    if violation.status == status:
        return ValidationError({"status": [_("The flag is already %(status)s.") % {"status": _status_label(status)}]})
    if status not in ALLOWED_MOVES.get(violation.status, frozenset()):
        message = _("A flag that is %(current)s cannot be changed to %(target)s.") % {
            "current": _status_label(violation.status),
            "target": _status_label(status),
        }
        return ValidationError({"status": [message]})
    if status == Status.WAIVED and creators.get((violation.record_kind, violation.record_id)) == user.pk:
        return PermissionDenied(_("You cannot waive a flag on a record you created yourself."))
    return None


def _lock_reviewable(pks: list[int], user) -> dict[int, Violation]:
    """The flags among ``pks`` that ``user`` reviews, locked until the transaction ends."""
    rows = (
        Violation.objects.for_user(user, min_role=scoping.SUPERVISOR)
        .select_for_update(of=("self",))
        .filter(pk__in=pks)
        .order_by("pk")  # the same lock order everywhere: two bulk actions cannot deadlock
    )
    return {violation.pk: violation for violation in rows}


def _write(
    violations: list[Violation], *, user, status: str, note: str, expires_on, recount_cases: bool = True
) -> list[ViolationEvent]:
    """Move the (checked, locked) flags to ``status`` in one UPDATE and record each step."""
    expiry = expires_on if status == Status.WAIVED else None
    Violation.objects.filter(pk__in=[v.pk for v in violations]).update(status=status, waiver_expires_on=expiry)
    events = ViolationEvent.objects.bulk_create(
        [
            ViolationEvent(
                violation=violation,
                from_status=violation.status,
                to_status=status,
                actor=user,
                note=note.strip(),
                expires_on=expiry,
            )
            for violation in violations
        ]
    )
    for violation in violations:
        violation.status, violation.waiver_expires_on = status, expiry
    rollups_flags_queue(violations)  # the dashboards' open-flag counts follow after the commit
    if recount_cases:  # a case deciding its flags keeps the numbers it was decided on
        cases_recount(violation.case_id for violation in violations)
    return events


def violation_transition(
    *,
    violation: Violation,
    user,
    status: str,
    note: str = "",
    expires_on: datetime.date | None = None,
) -> ViolationEvent:
    """Move one flag to ``status`` as ``user``, saying why in ``note``; return the timeline row.

    Allowed: open -> acknowledged; open or acknowledged -> resolved or waived;
    acknowledged, resolved or waived -> open (reopen). Only supervisors and admins of
    the flag's unit may do it; a waiver needs a note, may expire on a later day, and
    is never given by the person who created the flag's record.

    Raises ``PermissionDenied`` (staff, people outside the unit, a waiver of one's own
    record) or ``ValidationError({"status" | "note" | "expires_on": [...]})``.

    Side effects: locks the flag's row, sets its status and waiver expiry (kept only
    while waived), writes one ``ViolationEvent`` (from, to, actor, note, expiry);
    ``violation`` itself is updated to match.
    """
    with transaction.atomic():
        locked = _lock_reviewable([violation.pk], user)
        if violation.pk not in locked:
            raise _refused_role()
        errors = _request_errors(status=status, note=note, expires_on=expires_on, today=timezone.localdate())
        if errors:
            raise ValidationError(errors)
        current = locked[violation.pk]
        creators = _creators([current]) if status == Status.WAIVED else {}
        problem = _move_problem(current, user=user, status=status, creators=creators)
        if problem is not None:
            raise problem
        (event,) = _write([current], user=user, status=status, note=note, expires_on=expires_on)
    violation.status, violation.waiver_expires_on = current.status, current.waiver_expires_on
    return event


def violations_transition(
    *,
    violations: Iterable[Violation],
    user,
    status: str,
    note: str = "",
    expires_on: datetime.date | None = None,
    recount_cases: bool = True,
) -> list[ViolationEvent]:
    """Move several flags at once with the same rules as ``violation_transition``: all or nothing.

    ``recount_cases=False``: the caller is a case's own decision (``burden.review.cases``),
    which keeps the case's numbers as they were and sets its status itself.

    Raises ``ValidationError`` keyed by ``status``/``note``/``expires_on`` when the
    request itself is wrong, or by ``violations`` with one message per flag that may
    not move (then none moves).

    Side effects: locks the rows, one UPDATE of their status and waiver expiry, one
    timeline row per flag.
    """
    wanted = {violation.pk: violation for violation in violations}
    if not wanted:
        raise ValidationError({"violations": [_("Select at least one flag.")]})
    with transaction.atomic():
        errors = _request_errors(status=status, note=note, expires_on=expires_on, today=timezone.localdate())
        if errors:
            raise ValidationError(errors)
        locked = _lock_reviewable(sorted(wanted), user)
        creators = _creators(locked.values()) if status == Status.WAIVED else {}
        problems = []
        for pk, violation in sorted(wanted.items()):
            current = locked.get(pk)
            problem = (
                _move_problem(current, user=user, status=status, creators=creators)
                if current is not None
                else _refused_role()
            )
            if problem is not None:
                reason = " ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
                problems.append(
                    _("Flag %(number)s (%(rule)s): %(problem)s")
                    % {"number": pk, "rule": violation.rule, "problem": reason}
                )
        if problems:
            raise ValidationError({"violations": problems})
        return _write(
            list(locked.values()),
            user=user,
            status=status,
            note=note,
            expires_on=expires_on,
            recount_cases=recount_cases,
        )


def violation_comment(*, violation: Violation, user, note: str) -> ViolationEvent:
    """Add ``user``'s explanation to a flag's timeline without changing its status.

    Anyone who sees the flag may (its unit's staff and everyone above). Raises
    ``PermissionDenied`` for others, ``ValidationError({"note": [...]})`` for an empty
    or overlong note. Side effect: one ``ViolationEvent`` with empty from/to.
    """
    if not Violation.objects.for_user(user).filter(pk=violation.pk).exists():
        raise PermissionDenied(_("You can only explain flags of your own units."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("Write the explanation.")]})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": [_("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH}]})
    return ViolationEvent.objects.create(violation=violation, actor=user, note=note)


@transaction.atomic
def waivers_expire(*, today: datetime.date | None = None) -> int:
    """Reopen every waived flag whose waiver expires on or before ``today``; return how many.

    Set-based, whatever the number: one INSERT ... SELECT writes the timeline rows
    ("waiver expired", no actor) and one UPDATE reopens the flags. On PostgreSQL the
    SELECT locks the rows, so a person's transition of the same flag (which locks it
    too) waits and then sees it open; both statements match the same rows.
    """
    today = today or timezone.localdate()
    expired = Violation.objects.filter(status=Status.WAIVED, waiver_expires_on__lte=today)
    timeline = (
        expired.select_for_update(of=("self",))
        .order_by()
        .annotate(
            event_violation=F("pk"),
            event_from=Value(Status.WAIVED.value),
            event_to=Value(Status.OPEN.value),
            event_note=Value(""),
            event_reason=Value(ViolationEvent.Reason.WAIVER_EXPIRED.value),
            event_at=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list("event_violation", "event_from", "event_to", "event_note", "event_reason", "event_at")
    )
    select_sql, params = timeline.query.sql_with_params()
    table = ViolationEvent._meta.db_table
    columns = ", ".join(
        connection.ops.quote_name(ViolationEvent._meta.get_field(name).column)
        for name in ("violation", "from_status", "to_status", "note", "reason", "at")
    )
    touched = [
        SimpleNamespace(record_kind=k, unit_id=u) for k, u in expired.values_list("record_kind", "unit_id").distinct()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) {select_sql}", params)
    reopened = expired.update(status=Status.OPEN, waiver_expires_on=None)
    rollups_flags_queue(touched)
    return reopened


# --- Deadlines and notification preferences ------------------------------------------------


@transaction.atomic
def review_deadlines_update(
    *, user, days_low: int, days_medium: int, days_high: int, reason: str
) -> ReviewDeadlines | None:
    """Change the days to resolve a flag of each severity; return the row, or None when nothing changed.

    Raises ``PermissionDenied`` unless ``user`` may set city-wide settings, and
    ``ValidationError`` for a missing reason or days out of range. Side effects: saves
    the one row with a history entry naming ``user`` and the reason; every flag's
    deadline (computed when read) follows at once.
    """
    if not scoping.scope_for(user).sets_city_settings:
        raise PermissionDenied(_("Only city-wide administrators can change the review deadlines."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the deadlines change.")]})
    row = ReviewDeadlines.objects.select_for_update().filter(pk=1).first() or ReviewDeadlines(pk=1)
    new = {"days_low": days_low, "days_medium": days_medium, "days_high": days_high}
    if row.updated_at is not None and all(getattr(row, name) == value for name, value in new.items()):
        return None
    for name, value in new.items():
        setattr(row, name, value)
    row.full_clean(exclude=["updated_at"])
    row._change_reason = reason.strip()
    row._history_user = user
    row.save()
    return row


def notifications_mark_seen(*, user, now: datetime.datetime | None = None) -> NotificationPreference:
    """Everything notified until ``now`` is seen: the bell counts only what comes after.

    Side effect: creates the person's preference row if missing, sets ``last_seen_at``.
    """
    prefs, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"last_seen_at": now or timezone.now()}
    )
    return prefs
