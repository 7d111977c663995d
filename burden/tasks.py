"""Celery tasks of the core app. Tasks stay thin: fetch by id, call a service."""

from celery import shared_task

from .models import Unit


@shared_task
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
    from .rules.engine import evaluate_record as run

    run(kind, record_id)


@shared_task(acks_late=True)
def sweep_rules(today: str | None = None, codes: list[str] | None = None) -> None:
    """Every rule over every record: the schedule's sweep, and after a threshold change."""
    import datetime

    from .rules.engine import sweep

    sweep(datetime.date.fromisoformat(today) if today else None, codes)


@shared_task
def evaluate_pending(limit: int = 1000) -> int:
    """Evaluate the records whose evaluation could not be queued (the broker was down)."""
    from .models import PendingEvaluation
    from .rules.engine import evaluate_record as run

    pending = list(PendingEvaluation.objects.order_by("pk").values_list("record_kind", "record_id")[:limit])
    for kind, record_id in pending:
        run(kind, record_id)
    return len(pending)
