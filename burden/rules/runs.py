"""Re-applying a rule after its thresholds change, as a run people can follow.

``rule_run_start`` records a queued run in the change's transaction and sends it to
the worker once that commits; the task calls ``rule_run_execute``, which claims the run
(a conditional UPDATE, so two workers never both run it), sweeps the rule (and the
rules it supersedes, whose flags come and go with its own) with a ``Progress`` that
saves itself on the run as it moves, and stores the counts, or the error when it
fails. The progress is saved between the sweep's transactions, so a page polling the
run sees it move.
"""

from __future__ import annotations

import contextlib

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import RuleChange, RuleRun


def rule_run_start(*, code: str, change: RuleChange | None, user) -> RuleRun:
    """A queued run of rule ``code``, sent to the worker when the current transaction commits."""
    run = RuleRun.objects.create(rule=code, change=change, triggered_by=user)
    transaction.on_commit(lambda: _dispatch(run.pk))
    return run


def _dispatch(run_id: int) -> None:
    from ..queueing import job_send
    from .tasks import rule_reapply

    # A run that is not queued is failed, and the scheduled sweep applies the change instead.
    job_send(rule_reapply, RuleRun, run_id)


def rule_run_execute(run_id: int) -> RuleRun | None:
    """Run a queued run: sweep its rule, saving progress and then the outcome on it.

    Returns the finished run, or None when it was not queued (already taken by another
    worker, or done). A failure is saved on the run and raised again, so that the task
    fails and is kept with the failed background tasks.
    """
    from .engine import Progress, sweep

    claimed = RuleRun.objects.filter(pk=run_id, status=RuleRun.Status.QUEUED).update(
        status=RuleRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = RuleRun.objects.get(pk=run_id)

    def save_progress(progress: Progress) -> None:
        RuleRun.objects.filter(pk=run_id).update(
            steps_total=progress.steps_total, steps_done=progress.steps_done, findings=progress.findings
        )

    try:
        results = sweep(codes=[run.rule], progress=Progress(save_progress))
    except Exception as error:
        # The database itself may be what failed: then the task failure alone says why.
        with contextlib.suppress(DatabaseError):
            RuleRun.objects.filter(pk=run_id).update(
                status=RuleRun.Status.FAILED,
                finished_at=timezone.now(),
                error=f"{type(error).__name__}: {error}"[:4000],
            )
        raise
    totals = {name: sum(result[name] for result in results.values()) for name in ("opened", "cleared", "reopened")}
    RuleRun.objects.filter(pk=run_id).update(status=RuleRun.Status.DONE, finished_at=timezone.now(), **totals)
    run.refresh_from_db()
    return run


def rule_run_latest(code: str, user=None) -> RuleRun | None:
    """The rule's most recent run, with who started it; with ``user``, the latest they may know of.

    A run that re-applies a unit's override is as private as the override's change: it
    is shown to those who may see that change (``RuleChange.objects.for_user``).
    """
    runs = RuleRun.objects.filter(rule=code)
    if user is not None:
        runs = runs.filter(Q(change__isnull=True) | Q(change__in=RuleChange.objects.for_user(user)))
    return runs.select_related("triggered_by").first()


def rules_reapplying() -> set[str]:
    """Codes of the rules with a run not yet finished."""
    return set(RuleRun.objects.filter(status__in=RuleRun.UNFINISHED).values_list("rule", flat=True).distinct())
