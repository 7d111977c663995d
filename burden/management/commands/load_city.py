import shutil
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation

from burden.city import grow_city, needs, scale_for
from burden.demo import load_demo
from burden.demo_records import demo_records_loaded, load_demo_records
from burden.insights.rollups import rollups_rebuild
from burden.models import Unit
from burden.rules.engine import sweep


class Command(BaseCommand):
    help = (
        "Build a city-shaped database for measuring: the demo city grown to --units grassroots units "
        "and a year of --records records, swept and rolled up. Only for an empty measuring database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=7000, help="Grassroots units (streets and communities).")
        parser.add_argument("--records", type=int, default=200_000, help="Records in the year, about.")
        parser.add_argument("--seed", type=int, default=None, help="Seed of the generated tree.")
        parser.add_argument("--force", action="store_true", help="Run with DEBUG=False (a measuring server).")

    def handle(self, *args, units, records, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off, so this looks like a production server; add --force on a measuring one.")
        if connection.vendor != "postgresql":
            raise CommandError("A city is measured on PostgreSQL: set DATABASE_URL to an empty PostgreSQL database.")
        if demo_records_loaded():
            raise CommandError("This database already holds records; build a city on an empty one.")
        size, seconds = needs(records)
        free = shutil.disk_usage(settings.BASE_DIR).free
        self.stdout.write(f"A city of {records:,} records needs about {size / 1e9:.1f} GB and {seconds // 60 + 1} min.")
        if size * 1.5 > free:
            raise CommandError(f"Only {free / 1e9:.1f} GB free here: choose fewer records.")
        started = time.perf_counter()
        load_demo()
        grown = grow_city(units, **({"seed": seed} if seed is not None else {}))
        total = Unit.objects.filter(is_grassroots=True).count()
        self.stdout.write(
            f"Units: {Unit.objects.count():,} ({total:,} grassroots; added {grown.districts} districts, "
            f"{grown.streets} streets, {grown.communities} communities) in {time.perf_counter() - started:.0f} s."
        )
        step = time.perf_counter()
        with translation.override("en"):
            written = load_demo_records(scale=scale_for(records))
        self.stdout.write(
            f"Records: {sum(written.values()):,} ({', '.join(f'{n:,} {k}' for k, n in written.items())}) "
            f"in {time.perf_counter() - step:.0f} s."
        )
        step = time.perf_counter()
        sweep()
        self.stdout.write(f"Sweep and case gathering: {time.perf_counter() - step:.0f} s.")
        step = time.perf_counter()
        rollups_rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Roll-ups: {time.perf_counter() - step:.0f} s.")
        self.stdout.write(self.style.SUCCESS(f"City ready in {time.perf_counter() - started:.0f} s."))
