"""Celery tasks of the core app. Tasks stay thin: fetch by id, call a service."""

from celery import shared_task

from .models import Unit

# The review's tasks live with the review; importing them here registers them with the worker.
from .review.tasks import review_digests_send, waivers_expire  # noqa: F401


@shared_task(ignore_result=False)
def units_count() -> int:
    """Count the units in the database; proves a worker reaches the broker and the database."""
    return Unit.objects.count()


@shared_task(acks_late=True)
def ledger_import(job_id: int) -> None:
    """Import an uploaded ledger (see ``burden.ledger.jobs``)."""
    from .ledger.jobs import import_job_run

    import_job_run(job_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def evaluate_record(kind: str, record_id: int) -> None:
    """Evaluate the rules over a saved or deleted record (idempotent; retried a few times)."""
    from .insights.rollups import rollups_flags_refresh_for_record
    from .rules.engine import evaluate_record as run

    run(kind, record_id)
    rollups_flags_refresh_for_record(kind, record_id)


@shared_task(acks_late=True)
def sweep_rules(today: str | None = None, codes: list[str] | None = None) -> None:
    """Every rule over every record: the schedule's sweep, and after a threshold change."""
    import datetime

    from .insights.rollups import rollups_flags_refresh
    from .rules.engine import sweep

    sweep(datetime.date.fromisoformat(today) if today else None, codes)
    rollups_flags_refresh()  # the sweep may have opened or cleared flags anywhere


@shared_task(acks_late=True)
def rule_reapply(run_id: int) -> None:
    """Apply a rule again after a change of its thresholds, its progress and outcome kept on the run."""
    from .insights.rollups import rollups_flags_refresh
    from .rule_runs import rule_run_execute

    if rule_run_execute(run_id) is not None:
        rollups_flags_refresh()  # the run may have opened or cleared flags anywhere


@shared_task
def evaluate_pending(limit: int = 1000) -> int:
    """Evaluate the records whose evaluation could not be queued (the broker was down)."""
    from .models import PendingEvaluation
    from .rules.engine import evaluate_record as run

    pending = list(PendingEvaluation.objects.order_by("pk").values_list("record_kind", "record_id")[:limit])
    for kind, record_id in pending:
        run(kind, record_id)
    if pending:
        from .insights.rollups import rollups_flags_refresh

        rollups_flags_refresh(sorted({kind for kind, _record_id in pending}))
    return len(pending)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def refresh_rollups(region: list) -> None:
    """Recompute the roll-up cells a committed write touched (``burden.insights.rollups.Region``)."""
    from .insights.rollups import Region, rollups_refresh

    rollups_refresh(Region.from_json(region))


@shared_task(acks_late=True)
def rebuild_rollups(kinds: list[str] | None = None) -> dict[str, int]:
    """Recompute every roll-up cell of ``kinds`` (all by default), e.g. after the cost parameters change."""
    from .insights.rollups import rollups_rebuild

    return rollups_rebuild(kinds)


@shared_task(acks_late=True)
def report_generate(job_id: int) -> None:
    """Build the spreadsheet of a large report, its progress kept on the job (``burden.insights.report_jobs``)."""
    from .insights.report_jobs import report_job_run

    report_job_run(job_id)
