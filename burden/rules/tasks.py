"""The rules engine's Celery tasks. Thin: fetch by id, call the engine.

Each keeps the name it had when every task lived in ``burden.tasks`` (``name=``), which
the beat schedules (migration ``0005_rule_schedules``), queued messages and the failed
tasks' list know it by.
"""

import datetime

from celery import shared_task


@shared_task(
    name="burden.tasks.evaluate_record", acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True
)
def evaluate_record(kind: str, record_id: int) -> None:
    """Evaluate the rules over a saved or deleted record (idempotent; retried a few times)."""
    from ..insights.rollups import rollups_flags_refresh_for_record
    from .engine import evaluate_record as run

    run(kind, record_id)
    rollups_flags_refresh_for_record(kind, record_id)


@shared_task(name="burden.tasks.sweep_rules", acks_late=True)
def sweep_rules(today: str | None = None, codes: list[str] | None = None) -> None:
    """Every rule over every record: the schedule's sweep, and after a threshold change."""
    from ..insights.rollups import rollups_flags_refresh
    from .engine import sweep

    day = datetime.date.fromisoformat(today) if today else None
    if codes is None:
        _hours_refresh(day)
    sweep(day, codes)
    rollups_flags_refresh()  # the sweep may have opened or cleared flags anywhere


def _hours_refresh(today: datetime.date | None) -> None:
    """Stored hours that grow with the calendar brought up to ``today``, and their kinds' roll-ups rebuilt."""
    from django.utils import timezone

    from ..insights.rollups import rollups_rebuild
    from ..records.registry import record_models

    today = today or timezone.localdate()
    changed = [kind for kind, model in record_models().items() if model.hours_refresh(today)]
    if changed:
        rollups_rebuild(changed)


@shared_task(name="burden.tasks.rule_reapply", acks_late=True)
def rule_reapply(run_id: int) -> None:
    """Apply a rule again after a change of its thresholds, its progress and outcome kept on the run."""
    from ..insights.rollups import rollups_flags_refresh
    from .runs import rule_run_execute

    if rule_run_execute(run_id) is not None:
        rollups_flags_refresh()  # the run may have opened or cleared flags anywhere


@shared_task(name="burden.tasks.evaluate_pending")
def evaluate_pending(limit: int = 1000) -> int:
    """Evaluate the records whose evaluation could not be queued (the broker was down)."""
    from .engine import evaluate_record as run
    from .models import PendingEvaluation

    pending = list(PendingEvaluation.objects.order_by("pk").values_list("record_kind", "record_id")[:limit])
    for kind, record_id in pending:
        run(kind, record_id)
    if pending:
        from ..insights.rollups import rollups_flags_refresh

        rollups_flags_refresh(sorted({kind for kind, _record_id in pending}))
    return len(pending)
