"""What the background jobs with a progress bar share (rule re-applications, report spreadsheets).

Each job model has ``Status`` choices with QUEUED, RUNNING, DONE and FAILED, an
``UNFINISHED`` tuple, ``steps_total``/``steps_done``, ``finished_at`` and ``error``.
"""

from __future__ import annotations

from django.utils import timezone


class ProgressMixin:
    """``finished`` and ``percent`` for a job model (a plain mixin: it adds no field)."""

    @property
    def finished(self) -> bool:
        return self.status not in self.UNFINISHED

    @property
    def percent(self) -> int:
        """How far it has got, in whole per cent of its steps (100 once done)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(99, self.steps_done * 100 // self.steps_total)


def job_fail_if_queued(model, job_id: int, error: Exception) -> bool:
    """Mark a job that could not be queued as failed, so it never looks as if it were waiting.

    Returns False when the job had already left the queue (eager tasks run in this
    process: then ``error`` is the job's own failure, already recorded).
    """
    return bool(
        model.objects.filter(pk=job_id, status=model.Status.QUEUED).update(
            status=model.Status.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:4000]
        )
    )
