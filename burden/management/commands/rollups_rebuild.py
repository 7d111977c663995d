from django.core.management.base import BaseCommand, CommandError

from burden.insights.rollups import record_models, rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the monthly roll-ups from the records (set-based: one INSERT ... SELECT per kind)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", dest="kinds", help="Only this kind of record (repeatable).")

    def handle(self, *args, kinds=None, **options):
        unknown = sorted(set(kinds or []) - set(record_models()))
        if unknown:
            raise CommandError(f"Unknown kind(s): {', '.join(unknown)}; use {', '.join(sorted(record_models()))}.")
        counts = rollups_rebuild(kinds)
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(f"Roll-ups rebuilt: {sum(counts.values())} cells ({summary}).")
