"""The Celery tasks of the core app, gathered for the worker (``autodiscover_tasks`` reads this module).

Each task lives with the subject it serves — the rules engine's in ``burden.rules.tasks``,
the roll-ups' in ``burden.insights.tasks``, the reports' in ``burden.insights.report_tasks``,
the ledger's in ``burden.ledger.tasks``, the review's in ``burden.review.tasks`` — and code
queues it from there, so no service imports this module and this module imports no
service. Importing them here registers them with the worker under their names
(``burden.tasks.<name>`` for the ones that used to live here). Tasks stay thin: fetch by
id, call a service.
"""

from celery import shared_task

from .insights.report_tasks import report_generate  # noqa: F401
from .insights.tasks import rebuild_rollups, refresh_rollups  # noqa: F401
from .ledger.tasks import ledger_import  # noqa: F401
from .models import Unit
from .review.tasks import review_digests_send, waivers_expire  # noqa: F401
from .rules.tasks import evaluate_pending, evaluate_record, rule_reapply, sweep_rules  # noqa: F401


@shared_task(ignore_result=False)
def units_count() -> int:
    """Count the units in the database; proves a worker reaches the broker and the database."""
    return Unit.objects.count()
