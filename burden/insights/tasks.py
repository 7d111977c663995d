"""The roll-ups' Celery tasks (the reports' is in ``report_tasks``). Thin: call a service.

Each keeps the name it had when every task lived in ``burden.tasks`` (``name=``), which
queued messages and the failed tasks' list know it by.
"""

from celery import shared_task


@shared_task(
    name="burden.tasks.refresh_rollups", acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True
)
def refresh_rollups(region: list) -> None:
    """Recompute the roll-up cells a committed write touched (``burden.insights.rollups.Region``)."""
    from .rollups import Region, rollups_refresh

    rollups_refresh(Region.from_json(region))


@shared_task(name="burden.tasks.rebuild_rollups", acks_late=True)
def rebuild_rollups(kinds: list[str] | None = None) -> dict[str, int]:
    """Recompute every roll-up cell of ``kinds`` (all by default), e.g. after the cost parameters change."""
    from .rollups import rollups_rebuild

    return rollups_rebuild(kinds)
