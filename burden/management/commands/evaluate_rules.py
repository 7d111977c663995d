import datetime

from django.core.management.base import BaseCommand, CommandError

from burden.insights.rollups import rollups_flags_refresh
from burden.rules.engine import sweep


class Command(BaseCommand):
    help = "Run every rule over every record, as the scheduled sweep does (clock rules see --today)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The date the clock rules take as today (YYYY-MM-DD).")
        parser.add_argument("--rule", action="append", dest="codes", help="Only this rule (repeatable).")

    def handle(self, *args, today=None, codes=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date like 2026-03-01.") from None
        results = sweep(day, codes)
        rollups_flags_refresh()  # the roll-ups count flagged records
        totals = {name: sum(result[name] for result in results.values()) for name in ("opened", "reopened", "cleared")}
        self.stdout.write(
            f"{len(results)} rule runs: {totals['opened']} opened, {totals['reopened']} reopened, "
            f"{totals['cleared']} cleared."
        )
